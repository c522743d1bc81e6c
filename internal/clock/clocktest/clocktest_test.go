package clocktest

import (
	"testing"
	"time"

	"ehealth-tray/internal/clock"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

var _ clock.Clock = (*Clock)(nil)

func fired(tm clock.Timer) (time.Time, bool) {
	select {
	case at := <-tm.C():
		return at, true
	default:
		return time.Time{}, false
	}
}

func TestAdvanceFiresDueTimersOnly(t *testing.T) {
	c := New(t0)
	soon, late := c.NewTimer(time.Minute), c.NewTimer(time.Hour)
	c.Advance(time.Minute - time.Nanosecond)
	if _, ok := fired(soon); ok {
		t.Fatal("a timer fired before it was due")
	}
	c.Advance(time.Nanosecond)
	if at, ok := fired(soon); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("due timer: fired %v at %v", ok, at)
	}
	if _, ok := fired(late); ok || c.Fired() != 1 || c.Created() != 2 {
		t.Fatalf("late timer fired %v; fired %d, created %d", ok, c.Fired(), c.Created())
	}
	if !late.Stop() || late.Stop() {
		t.Error("Stop: a pending timer must report true once, then false")
	}
	c.Advance(2 * time.Hour)
	if _, ok := fired(late); ok {
		t.Error("a stopped timer fired")
	}
}

// TestWallJumpsFireNothing: a suspend moves the wall clock, not the timers.
func TestWallJumpsFireNothing(t *testing.T) {
	c := New(t0)
	tm := c.NewTimer(time.Minute)
	c.Jump(time.Hour)
	c.Set(c.Now().Add(time.Hour))
	if _, ok := fired(tm); ok {
		t.Fatal("a wall-clock jump fired a timer")
	}
	if got := c.Now(); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("Now() = %v", got)
	}
	c.Advance(time.Minute)
	if _, ok := fired(tm); !ok {
		t.Fatal("Advance did not fire the due timer")
	}
	var now func() time.Time = c.Now // the shape simulators take
	if !now().Equal(t0.Add(2*time.Hour + time.Minute)) {
		t.Fatalf("Now as a func: %v", now())
	}
}

func TestWaitCreated(t *testing.T) {
	c := New(t0)
	go func() {
		c.NewTimer(time.Second)
		c.NewTimer(time.Second)
	}()
	c.WaitCreated(t, 2)
	if c.Created() != 2 {
		t.Fatalf("created %d", c.Created())
	}
}
