package session

import "time"

// Clock gives the Manager the time and its timers, so tests can drive both.
//
// Now is read as a wall-clock time: session validity (NotOnOrAfter) is a wall
// time, and it must hold across suspend. Timers measure intervals on the
// monotonic clock, which stands still while the machine sleeps: after a wake
// they are late, which is why the app calls Manager.Recheck on wake.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer, like *time.Timer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the real clock: time.Now and time.NewTimer.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }
