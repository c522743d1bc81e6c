package session

import "ehealth-tray/internal/clock"

// Clock gives the Manager the time and its timers, so tests can drive both
// (with clocktest.Clock). See clock.Clock for which clock is read when.
type Clock = clock.Clock

// Timer is a one-shot timer, like *time.Timer.
type Timer = clock.Timer

// SystemClock is the real clock: time.Now and time.NewTimer.
func SystemClock() Clock { return clock.System() }
