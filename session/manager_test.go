package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/internal/clock/clocktest"
	"ehealth-tray/logging/logtest"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const validity = 24 * time.Hour

// quiet is the logger of Managers whose logs a test does not read.
var quiet = slog.New(slog.DiscardHandler)

// opener is an OpenFunc that records its calls.
type opener struct {
	mu    sync.Mutex
	calls []Method
	fn    func(ctx context.Context, m Method) (*Assertion, error)
}

func (o *opener) Open(ctx context.Context, m Method) (*Assertion, error) {
	o.mu.Lock()
	o.calls = append(o.calls, m)
	fn := o.fn
	o.mu.Unlock()
	return fn(ctx, m)
}

func (o *opener) Calls() []Method {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Method(nil), o.calls...)
}

// issuing returns an opener whose STS issues sessions valid for d from now.
func issuing(clk Clock, d time.Duration) *opener {
	n := 0
	return &opener{fn: func(context.Context, Method) (*Assertion, error) {
		n++
		now := clk.Now()
		return testAssertion(fmt.Sprintf("_a%d", n), now, now.Add(d)), nil
	}}
}

func testAssertion(id string, notBefore, notOnOrAfter time.Time) *Assertion {
	return &Assertion{
		ID:           id,
		Issuer:       "urn:be:fgov:ehealth:sts",
		NotBefore:    notBefore,
		NotOnOrAfter: notOnOrAfter,
		Attributes:   map[string]string{"urn:be:fgov:person:ssin": "85073003328"},
		Raw:          []byte(`<saml:Assertion AssertionID="` + id + `">RAW-SECRET-` + id + `</saml:Assertion>`),
	}
}

// kindError is an error with a CLI kind, as Open returns them.
type kindError string

func (e kindError) Error() string { return string(e) }
func (e kindError) Kind() string  { return string(e) }

func recv(t *testing.T, ch <-chan Snapshot) Snapshot {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot published")
		return Snapshot{}
	}
}

func expectState(t *testing.T, ch <-chan Snapshot, want State) Snapshot {
	t.Helper()
	s := recv(t, ch)
	if s.State != want {
		t.Fatalf("published %s (err %v), want %s", s.State, s.Err, want)
	}
	return s
}

// expectQuiet checks nothing was published. Callers make sure nothing is in
// flight: the Manager publishes synchronously, and Run is idle between timers.
func expectQuiet(t *testing.T, ch <-chan Snapshot) {
	t.Helper()
	select {
	case s := <-ch:
		t.Fatalf("unexpected snapshot %s at %v", s.State, s.At)
	default:
	}
}

// runManager runs m.Run until the test ends and waits until it is idle with
// its check timer (and deadline timer, if any) armed.
func runManager(t *testing.T, m *Manager, clk *clocktest.Clock, timers int) {
	t.Helper()
	mark := clk.Created()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	clk.WaitCreated(t, mark+timers)
}

func TestStartPublishesEachState(t *testing.T) {
	clk := clocktest.New(t0)
	release := make(chan struct{})
	o := issuing(clk, validity)
	issue := o.fn
	o.fn = func(ctx context.Context, m Method) (*Assertion, error) { <-release; return issue(ctx, m) }
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk})
	ch, cancel := m.Subscribe()
	defer cancel()

	expectState(t, ch, StateNone)
	if a := m.Assertion(); a != nil {
		t.Fatalf("Assertion() = %v with no session", a)
	}
	done := make(chan error)
	go func() { done <- m.Start(context.Background(), MethodEID) }()
	expectState(t, ch, StateStarting)

	var k interface{ Kind() string }
	if err := m.Start(context.Background(), MethodEID); !errors.As(err, &k) || k.Kind() != "busy" {
		t.Fatalf("second Start while starting: %v, want kind busy", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := expectState(t, ch, StateActive)
	if s.Method != MethodEID || s.AssertionID != "_a1" || !s.NotOnOrAfter.Equal(t0.Add(validity)) ||
		!s.NotBefore.Equal(t0) || s.Attributes["urn:be:fgov:person:ssin"] != "85073003328" || s.Err != nil {
		t.Fatalf("active snapshot: %+v", s)
	}
	if got := o.Calls(); len(got) != 1 {
		t.Fatalf("Open called %d times, want 1 (busy must not call it)", len(got))
	}
	if a := m.Assertion(); a == nil || a.ID != "_a1" || !bytes.Contains(a.Raw, []byte("RAW-SECRET-_a1")) {
		t.Fatalf("Assertion() = %+v", a)
	}
	// Copies: a caller cannot change the Manager's session.
	m.Assertion().Attributes["x"] = "y"
	s.Attributes["x"] = "y"
	if _, ok := m.Snapshot().Attributes["x"]; ok {
		t.Fatal("a caller's change leaked into the Manager")
	}

	end := t0.Add(validity)
	steps := []struct {
		at   time.Time
		want State
	}{
		{end.Add(-10*time.Minute - time.Nanosecond), StateActive},
		{end.Add(-10 * time.Minute), StateEndingSoon},
		{end.Add(-time.Nanosecond), StateEndingSoon},
		{end, StateExpired},
	}
	last := StateActive
	for _, st := range steps {
		clk.Set(st.at)
		m.Recheck()
		if got := m.Snapshot(); got.State != st.want || !got.At.Equal(st.at) {
			t.Fatalf("at %v: %s at %v, want %s", st.at, got.State, got.At, st.want)
		}
		if st.want == last {
			expectQuiet(t, ch)
		} else {
			s = expectState(t, ch, st.want)
		}
		last = st.want
	}
	if s.AssertionID != "_a1" || !s.NotOnOrAfter.Equal(end) {
		t.Fatalf("expired snapshot lost the last session: %+v", s)
	}
	if a := m.Assertion(); a != nil {
		t.Fatalf("Assertion() = %v after expiry", a.ID)
	}
	expectQuiet(t, ch)
}

func TestRunShowsDeadlinesOnTime(t *testing.T) {
	clk := clocktest.New(t0)
	// A long check interval: only the deadline timers can fire here.
	m := NewManager(ManagerOptions{Logger: quiet, Open: issuing(clk, validity).Open, Clock: clk, CheckInterval: 1000 * time.Hour})
	ch := startActive(t, m)
	runManager(t, m, clk, 2)

	end := t0.Add(validity)
	clk.Advance(validity - 10*time.Minute - time.Minute)
	if clk.Fired() != 0 {
		t.Fatalf("%d timers fired before the warning time", clk.Fired())
	}
	expectQuiet(t, ch)

	mark := clk.Created()
	clk.Advance(time.Minute)
	if s := expectState(t, ch, StateEndingSoon); !s.At.Equal(end.Add(-10 * time.Minute)) {
		t.Fatalf("ending-soon published at %v, want %v", s.At, end.Add(-10*time.Minute))
	}
	clk.WaitCreated(t, mark+1)
	clk.Advance(10 * time.Minute)
	if s := expectState(t, ch, StateExpired); !s.At.Equal(end) {
		t.Fatalf("expired published at %v, want %v", s.At, end)
	}
	if clk.Fired() != 2 {
		t.Fatalf("%d timers fired, want 2", clk.Fired())
	}
}

func TestRunChecksEveryInterval(t *testing.T) {
	clk := clocktest.New(t0)
	o := issuing(clk, validity)
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk})
	ch := startActive(t, m)
	runManager(t, m, clk, 2)
	end := t0.Add(validity)

	mark := clk.Created()
	clk.Advance(15 * time.Minute) // the first check: still active
	clk.WaitCreated(t, mark+2)    // the next check and the deadline, re-armed
	expectQuiet(t, ch)            // no change, no publication

	clk.Advance(14 * time.Minute)
	if clk.Fired() != 1 {
		t.Fatalf("%d timers fired, want the first check only", clk.Fired())
	}
	// The wall clock jumps into the last 10 minutes with no wake signal
	// (a suspend): only the next check can notice.
	clk.Set(end.Add(-4 * time.Minute))
	expectQuiet(t, ch)
	mark = clk.Created()
	clk.Advance(time.Minute)
	if s := expectState(t, ch, StateEndingSoon); !s.At.Equal(end.Add(-3 * time.Minute)) {
		t.Fatalf("ending-soon at %v", s.At)
	}
	clk.WaitCreated(t, mark+2) // the next check and the deadline at NotOnOrAfter
	clk.Advance(3 * time.Minute)
	expectState(t, ch, StateExpired)
	if clk.Fired() != 3 {
		t.Fatalf("%d timers fired, want 2 checks and the end", clk.Fired())
	}

	// 48 hours of checks: one every 15 minutes, and nothing restarts the
	// session by itself.
	fired := clk.Fired()
	for range 48 * 4 {
		mark := clk.Created()
		clk.Advance(15 * time.Minute)
		clk.WaitCreated(t, mark+1)
	}
	if got := clk.Fired() - fired; got != 48*4 {
		t.Fatalf("%d checks in 48h, want %d", got, 48*4)
	}
	expectQuiet(t, ch)
	if got := o.Calls(); len(got) != 1 {
		t.Fatalf("Open called %d times, want 1", len(got))
	}
}

func TestRecheckAfterSleepAndClockJumps(t *testing.T) {
	clk := clocktest.New(t0)
	m := NewManager(ManagerOptions{Logger: quiet, Open: issuing(clk, validity).Open, Clock: clk})
	ch := startActive(t, m)
	end := t0.Add(validity)

	// Asleep past the end: no timer fired. The state is derived, so even
	// before Recheck it is never reported active.
	clk.Set(end.Add(3 * time.Hour))
	if s := m.Snapshot(); s.State != StateExpired {
		t.Fatalf("Snapshot after sleep: %s, want expired", s.State)
	}
	if m.Assertion() != nil {
		t.Fatal("Assertion() returned an expired assertion")
	}
	expectQuiet(t, ch)
	m.Recheck() // on wake
	expectState(t, ch, StateExpired)

	// The clock is set back: the same assertion is valid again.
	clk.Set(end.Add(-5 * time.Minute))
	m.Recheck()
	expectState(t, ch, StateEndingSoon)
	clk.Set(t0.Add(time.Hour))
	m.Recheck()
	expectState(t, ch, StateActive)
	if a := m.Assertion(); a == nil || a.ID != "_a1" {
		t.Fatalf("Assertion() = %v after the clock went back", a)
	}
	m.Recheck()
	expectQuiet(t, ch) // no change, no publication
}

func TestStartFailureIsFinal(t *testing.T) {
	clk := clocktest.New(t0)
	fault := kindError("sts-fault")
	o := &opener{fn: func(context.Context, Method) (*Assertion, error) { return nil, fault }}
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk})
	ch, cancel := m.Subscribe()
	defer cancel()
	expectState(t, ch, StateNone)
	runManager(t, m, clk, 1)

	err := m.Start(context.Background(), MethodEID)
	if !errors.Is(err, fault) {
		t.Fatalf("Start: %v, want the STS fault", err)
	}
	s := expectState(t, ch, StateFailed) // the latest: starting was replaced

	if !errors.Is(s.Err, fault) || s.Method != MethodEID {
		t.Fatalf("failed snapshot: %+v", s)
	}
	if errkind.Of(s.Err) != "sts-fault" {
		t.Fatalf("kind %q, want sts-fault", errkind.Of(s.Err))
	}
	for range 48 * 4 {
		clk.Advance(15 * time.Minute)
	}
	if got := o.Calls(); len(got) != 1 || got[0] != MethodEID {
		t.Fatalf("Open calls %v, want one eID call: no retry, no fallback", got)
	}
	if s := m.Snapshot(); s.State != StateFailed {
		t.Fatalf("state after 48h: %s, want failed", s.State)
	}
}

func TestFailedRenewalKeepsValidSession(t *testing.T) {
	clk := clocktest.New(t0)
	o := issuing(clk, validity)
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk})
	if err := m.Start(context.Background(), MethodEID); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(validity - 5*time.Minute))
	netErr := kindError("network")
	o.fn = func(context.Context, Method) (*Assertion, error) { return nil, netErr }
	if err := m.Start(context.Background(), MethodEID); !errors.Is(err, netErr) {
		t.Fatalf("renewal: %v", err)
	}
	s := m.Snapshot()
	if s.State != StateEndingSoon || s.AssertionID != "_a1" || !errors.Is(s.Err, netErr) {
		t.Fatalf("after a failed renewal: %+v, want the old session ending soon with the error", s)
	}
	if m.Assertion() == nil {
		t.Fatal("the still valid assertion was dropped")
	}
	// Once that session has expired, a failure leaves no session.
	clk.Set(t0.Add(validity))
	if err := m.Start(context.Background(), MethodFallback); !errors.Is(err, netErr) {
		t.Fatalf("start: %v", err)
	}
	if s := m.Snapshot(); s.State != StateFailed || s.AssertionID != "" || s.Method != MethodFallback {
		t.Fatalf("after a failed start: %+v", s)
	}
}

func TestExpiredOnArrival(t *testing.T) {
	clk := clocktest.New(t0)
	stale := testAssertion("_stale", t0.Add(-25*time.Hour), t0.Add(-time.Hour))
	logs := logtest.New()
	m := NewManager(ManagerOptions{
		Open:   func(context.Context, Method) (*Assertion, error) { return stale, nil },
		Clock:  clk,
		Logger: logs.Logger(),
	})
	if err := m.Start(context.Background(), MethodEID); err != nil {
		t.Fatalf("Start: %v, want nil (the state says expired)", err)
	}
	if s := m.Snapshot(); s.State != StateExpired || s.AssertionID != "_stale" {
		t.Fatalf("snapshot: %+v", s)
	}
	if m.Assertion() != nil {
		t.Fatal("Assertion() returned an expired assertion")
	}
	if logs.Count("session expired") != 1 {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestStopCancelsStart(t *testing.T) {
	clk := clocktest.New(t0)
	entered := make(chan struct{})
	o := &opener{fn: func(ctx context.Context, _ Method) (*Assertion, error) {
		close(entered)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	path := t.TempDir() + "/session.json"
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk, CachePath: path})
	done := make(chan error)
	go func() { done <- m.Start(context.Background(), MethodEID) }()
	<-entered
	m.Stop()
	if err := <-done; !errors.Is(err, ErrCanceled) || errkind.Of(err) != "canceled" {
		t.Fatalf("Start interrupted by Stop: %v", err)
	}
	if s := m.Snapshot(); s.State != StateNone || s.Err != nil {
		t.Fatalf("after Stop: %+v", s)
	}
	assertNoFile(t, path)
}

func TestStopDiscardsLateAssertion(t *testing.T) {
	clk := clocktest.New(t0)
	entered, release := make(chan struct{}), make(chan struct{})
	// An Open that ignores cancellation and still returns an assertion.
	o := &opener{fn: func(context.Context, Method) (*Assertion, error) {
		close(entered)
		<-release
		return testAssertion("_late", t0, t0.Add(validity)), nil
	}}
	path := t.TempDir() + "/session.json"
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk, CachePath: path})
	done := make(chan error)
	go func() { done <- m.Start(context.Background(), MethodEID) }()
	<-entered
	m.Stop()
	close(release)
	if err := <-done; !errors.Is(err, ErrCanceled) {
		t.Fatalf("Start: %v", err)
	}
	if s := m.Snapshot(); s.State != StateNone || m.Assertion() != nil {
		t.Fatalf("a stopped start became a session: %+v", s)
	}
	assertNoFile(t, path)
}

func TestStartBadInput(t *testing.T) {
	clk := clocktest.New(t0)
	o := &opener{fn: func(context.Context, Method) (*Assertion, error) { return nil, nil }}
	m := NewManager(ManagerOptions{Logger: quiet, Open: o.Open, Clock: clk})
	if err := m.Start(context.Background(), "card"); errkind.Of(err) != "unknown-method" {
		t.Fatalf("unknown method: %v", err)
	}
	if len(o.Calls()) != 0 {
		t.Fatal("Open called for an unknown method")
	}
	err := m.Start(context.Background(), MethodEID)
	if errkind.Of(err) != "no-assertion" {
		t.Fatalf("nil assertion: %v", err)
	}
	if s := m.Snapshot(); s.State != StateFailed || s.Err != err {
		t.Fatalf("snapshot: %+v", s)
	}
}

func TestSubscribers(t *testing.T) {
	clk := clocktest.New(t0)
	m := NewManager(ManagerOptions{Logger: quiet, Open: issuing(clk, validity).Open, Clock: clk})
	slow, cancelSlow := m.Subscribe()
	gone, cancelGone := m.Subscribe()
	cancelGone()
	cancelGone() // twice is harmless
	<-gone       // the initial snapshot
	select {
	case _, ok := <-gone:
		if ok {
			t.Fatal("a snapshot after cancel")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel still open after cancel")
	}
	// Many changes while nobody reads: the Manager never blocks.
	for range 5 {
		if err := m.Start(context.Background(), MethodEID); err != nil {
			t.Fatal(err)
		}
		m.Stop()
	}
	if err := m.Start(context.Background(), MethodFallback); err != nil {
		t.Fatal(err)
	}
	s := expectState(t, slow, StateActive) // the latest only
	if s.AssertionID != "_a6" || s.Method != MethodFallback {
		t.Fatalf("slow subscriber got %+v, want the latest session", s)
	}
	expectQuiet(t, slow)
	cancelSlow()
	m.Stop() // publishing after every cancel must not panic
}

func TestLogsNeverHoldTheAssertion(t *testing.T) {
	clk := clocktest.New(t0)
	logs := logtest.New()
	path := t.TempDir() + "/session.json"
	m := NewManager(ManagerOptions{Open: issuing(clk, validity).Open, Clock: clk, CachePath: path, Logger: logs.Logger()})
	if err := m.Start(context.Background(), MethodFallback); err != nil {
		t.Fatal(err)
	}
	NewManager(ManagerOptions{Open: issuing(clk, validity).Open, Clock: clk, CachePath: path, Logger: logs.Logger()})
	clk.Set(t0.Add(validity))
	m.Recheck()
	m.Stop()

	out := logs.String()
	for _, want := range []string{"fallback procedure (exceptional use)", "session started", "cached session restored",
		"session expired", "session stopped", `"assertion_id":"_a1"`, `"not_on_or_after":"2026-03-03T08:00:00Z"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if logs.Count("starting session: fallback procedure (exceptional use)") != 1 {
		t.Error("the fallback start is not logged as exceptional use")
	}
	raw := testAssertion("_a1", t0, t0).Raw
	for _, secret := range []string{"RAW-SECRET", base64.StdEncoding.EncodeToString(raw)} {
		if strings.Contains(out, secret) {
			t.Fatalf("logs hold the assertion body:\n%s", out)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	clk := clocktest.New(t0)
	var mu sync.Mutex
	n := 0
	open := func(ctx context.Context, m Method) (*Assertion, error) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		if i%3 == 0 {
			return nil, kindError("sts-fault")
		}
		now := clk.Now()
		return testAssertion(fmt.Sprintf("_c%d", i), now, now.Add(time.Hour)), nil
	}
	m := NewManager(ManagerOptions{Logger: quiet, Open: open, Clock: clk, CachePath: t.TempDir() + "/session.json"})
	runManager(t, m, clk, 1)

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 50 {
				err := m.Start(context.Background(), MethodEID)
				if err != nil && !errors.Is(err, ErrBusy) && !errors.Is(err, ErrCanceled) && !errors.Is(err, kindError("sts-fault")) {
					t.Errorf("Start: %v", err)
				}
				if i == 0 {
					m.Stop()
				}
			}
		})
	}
	wg.Go(func() {
		for range 200 {
			clk.Advance(7 * time.Minute)
			m.Recheck()
			_ = m.Assertion()
		}
	})
	wg.Go(func() {
		for range 100 {
			ch, cancel := m.Subscribe()
			if s := <-ch; s.State == "" || s.At.IsZero() {
				t.Errorf("bad snapshot %+v", s)
			}
			cancel()
		}
	})
	wg.Wait()
	s := m.Snapshot()
	if s.State == StateStarting {
		t.Fatalf("left starting with no Start running: %+v", s)
	}
	if a := m.Assertion(); a != nil && (s.State != StateActive && s.State != StateEndingSoon || a.ID != s.AssertionID) {
		t.Fatalf("Assertion %v disagrees with snapshot %+v", a.ID, s)
	}
}

// startActive starts an eID session on m and returns a subscription that
// has already seen it active.
func startActive(t *testing.T, m *Manager) <-chan Snapshot {
	t.Helper()
	if err := m.Start(context.Background(), MethodEID); err != nil {
		t.Fatal(err)
	}
	ch, cancel := m.Subscribe()
	t.Cleanup(cancel)
	expectState(t, ch, StateActive)
	return ch
}

// TestSnapshotStateAt: the state to show is decided here, once: a live
// session past its end is expired, a renewal keeps showing the valid
// session (green, then orange near its end), a renewal of a dead one is
// "starting".
func TestSnapshotStateAt(t *testing.T) {
	end := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	warn := 10 * time.Minute
	live := Snapshot{State: StateActive, AssertionID: "_a", NotOnOrAfter: end}
	renewing := Snapshot{State: StateStarting, AssertionID: "_a", NotOnOrAfter: end}
	for _, c := range []struct {
		name string
		snap Snapshot
		at   time.Time
		want State
	}{
		{"active", live, end.Add(-time.Hour), StateActive},
		{"active, later near the end", live, end.Add(-time.Minute), StateEndingSoon},
		{"active, later past the end", live, end, StateExpired},
		{"ending soon, past the end", Snapshot{State: StateEndingSoon, AssertionID: "_a", NotOnOrAfter: end}, end.Add(time.Second), StateExpired},
		{"renewal of a valid session", renewing, end.Add(-time.Hour), StateActive},
		{"renewal near the end", renewing, end.Add(-time.Minute), StateEndingSoon},
		{"renewal of an ended session", renewing, end, StateStarting},
		{"first start", Snapshot{State: StateStarting}, end, StateStarting},
		{"failed", Snapshot{State: StateFailed}, end, StateFailed},
		{"none", Snapshot{State: StateNone}, end, StateNone},
	} {
		if got := c.snap.StateAt(c.at, warn); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestClockSkewed(t *testing.T) {
	for d, want := range map[time.Duration]bool{
		0: false, 2 * time.Minute: false, -2 * time.Minute: false,
		2*time.Minute + time.Second: true, -10 * time.Minute: true,
	} {
		if ClockSkewed(d) != want {
			t.Errorf("ClockSkewed(%v) = %v", d, !want)
		}
	}
}

// TestSnapshotCarriesClockSkew: the app reads the difference eHealth
// measured from the session's snapshot, to say it once.
func TestSnapshotCarriesClockSkew(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	a := &Assertion{ID: "_a", NotBefore: clock.Now(), NotOnOrAfter: clock.Now().Add(24 * time.Hour), ClockSkew: 10 * time.Minute}
	m := NewManager(ManagerOptions{Clock: clock, Open: func(context.Context, Method) (*Assertion, error) { return a, nil }})
	if err := m.Start(context.Background(), MethodFallback); err != nil {
		t.Fatal(err)
	}
	if s := m.Snapshot(); s.ClockSkew != 10*time.Minute || !ClockSkewed(s.ClockSkew) {
		t.Fatalf("snapshot skew %v", s.ClockSkew)
	}
}
