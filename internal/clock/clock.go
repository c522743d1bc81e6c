// Package clock is the time and the timers the product waits on, behind an
// interface so that tests drive both with one fake (package clocktest).
package clock

import "time"

// Clock gives the time and one-shot timers.
//
// Now is read as a wall-clock time: session validity (NotOnOrAfter) is a wall
// time, and it must hold across suspend. Timers measure intervals on the
// monotonic clock, which stands still while the machine sleeps: after a wake
// they are late, which is why the app rechecks on wake.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer, like *time.Timer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// System is the real clock: time.Now and time.NewTimer.
func System() Clock { return system{} }

type system struct{}

func (system) Now() time.Time { return time.Now() }

func (system) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }
