package instance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestHandoverUnavailableKeepsLock: when the hand-over socket could not be
// created (no AF_UNIX under Wine), the lock was released too, and two trays
// ran (issue 12). The first stays primary; the second does not start.
func TestHandoverUnavailableKeepsLock(t *testing.T) {
	dir := t.TempDir()
	// A non-empty folder named instance.sock: it cannot be removed, so no
	// socket can be bound there.
	if err := os.MkdirAll(filepath.Join(dir, "instance.sock", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	first, err := Acquire(dir)
	if err != nil {
		t.Fatalf("a failed hand-over must not cost the lock: %v", err)
	}
	_, second := Acquire(dir)
	handover := first.Handover
	first.Close()
	if handover == nil {
		t.Fatal("the hand-over problem is not reported")
	}
	if !errors.Is(second, ErrRunning) {
		t.Fatalf("second start with the lock held: %v", second)
	}
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("start after the first closed: %v", err)
	}
	again.Close()
}
