// Package clocktest is the one fake clock of the tests: a clock.Clock whose
// wall clock and timers move only when the test says so. Its Now method is
// also the func() time.Time that simulators and clients take as their clock.
package clocktest

import (
	"sync"
	"testing"
	"time"

	"ehealth-tray/internal/clock"
)

// Clock is a fake clock.Clock. Set and Jump move the wall clock alone, like a
// suspend or a clock change: no timer fires. Advance moves the wall and the
// monotonic clock together and fires the timers that fall due, in order.
type Clock struct {
	mu      sync.Mutex
	now     time.Time     // wall clock
	mono    time.Duration // monotonic clock
	timers  []*timer      // pending
	created int           // timers created so far
	fired   int           // timers fired so far
	event   chan struct{} // signalled when a timer is created
}

type timer struct {
	clk  *Clock
	when time.Duration // on the monotonic clock
	c    chan time.Time
}

// New returns a fake clock that reads now.
func New(now time.Time) *Clock {
	return &Clock{now: now, event: make(chan struct{}, 1)}
}

// Now returns the wall clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires once Advance has moved the monotonic
// clock by d.
func (c *Clock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{clk: c, when: c.mono + d, c: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	c.created++
	select {
	case c.event <- struct{}{}:
	default:
	}
	return t
}

func (t *timer) C() <-chan time.Time { return t.c }

func (t *timer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	return t.clk.remove(t)
}

func (c *Clock) remove(t *timer) bool {
	for i, p := range c.timers {
		if p == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Set moves the wall clock to now; the monotonic clock stands still.
func (c *Clock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// Jump moves the wall clock by d; the monotonic clock stands still.
func (c *Clock) Jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Advance moves both clocks by d and fires the timers due by then, in order.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.mono += d
	for {
		var next *timer
		for _, t := range c.timers {
			if t.when <= c.mono && (next == nil || t.when < next.when) {
				next = t
			}
		}
		if next == nil {
			return
		}
		c.remove(next)
		c.fired++
		next.c <- c.now // cannot block: a timer fires once into its own slot
	}
}

// Created is how many timers have been created so far.
func (c *Clock) Created() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created
}

// Fired is how many timers have fired so far.
func (c *Clock) Fired() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fired
}

// WaitCreated waits until n timers have been created in all: the way a test
// knows that the code under test has armed its timers and sits idle again.
func (c *Clock) WaitCreated(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for c.Created() < n {
		select {
		case <-c.event:
		case <-deadline:
			t.Fatalf("timers created: %d, want %d", c.Created(), n)
		}
	}
}
