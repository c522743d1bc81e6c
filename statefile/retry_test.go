package statefile

import (
	"errors"
	"slices"
	"testing"
	"time"
)

var errBusy = errors.New("fake sharing violation")

func isBusy(err error) bool { return errors.Is(err, errBusy) }

// TestRetryDecision: a file held by an antivirus for a moment is written on
// a later try (issue 12: a locked session.json turned the cache off for good).
func TestRetryDecision(t *testing.T) {
	var slept []time.Duration
	sleep := func(d time.Duration) { slept = append(slept, d) }
	calls := 0
	err := retryIf(func() error {
		calls++
		if calls < 3 {
			return errBusy
		}
		return nil
	}, isBusy, sleep)
	if err != nil || calls != 3 || !slices.Equal(slept, []time.Duration{retryFirst, 2 * retryFirst}) {
		t.Fatalf("err %v after %d calls, slept %v", err, calls, slept)
	}

	// Bounded: a file that stays locked gives the error back.
	slept, calls = nil, 0
	err = retryIf(func() error { calls++; return errBusy }, isBusy, sleep)
	var total time.Duration
	for _, d := range slept {
		total += d
	}
	if !errors.Is(err, errBusy) || calls != retryMax+1 || total > time.Second {
		t.Fatalf("err %v after %d calls, %v of waiting", err, calls, total)
	}

	// Any other error is not retried.
	slept, calls = nil, 0
	other := errors.New("access denied")
	if err := retryIf(func() error { calls++; return other }, isBusy, sleep); err != other || calls != 1 || len(slept) != 0 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}
