package session

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock for tests. Its wall clock can jump (Set) without any
// timer firing, like a suspend or a clock change; Advance moves both the wall
// and the monotonic clock and fires the timers that fall due.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time     // wall clock
	mono    time.Duration // monotonic clock
	timers  []*fakeTimer  // pending
	created int           // timers created so far
	fired   int           // timers fired so far
	event   chan struct{} // signalled when a timer is created
}

type fakeTimer struct {
	clk  *fakeClock
	when time.Duration // on the monotonic clock
	c    chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, event: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clk: c, when: c.mono + d, c: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	c.created++
	select {
	case c.event <- struct{}{}:
	default:
	}
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	return t.clk.remove(t)
}

func (c *fakeClock) remove(t *fakeTimer) bool {
	for i, p := range c.timers {
		if p == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Set moves the wall clock to now; the monotonic clock stands still.
func (c *fakeClock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// Advance moves both clocks by d and fires the timers due by then, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.mono += d
	for {
		var next *fakeTimer
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
		next.c <- c.now
	}
}

func (c *fakeClock) Created() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created
}

func (c *fakeClock) Fired() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fired
}

// WaitCreated waits until n timers have been created in all: the way a test
// knows that Run has re-armed its timers and sits idle again.
func (c *fakeClock) WaitCreated(t *testing.T, n int) {
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

func TestSystemClock(t *testing.T) {
	c := SystemClock()
	before := time.Now()
	if now := c.Now(); now.Before(before) {
		t.Fatalf("Now() = %v, before %v", now, before)
	}
	fast := c.NewTimer(time.Millisecond)
	select {
	case <-fast.C():
	case <-time.After(10 * time.Second):
		t.Fatal("a 1ms timer did not fire")
	}
	if fast.Stop() {
		t.Error("Stop on a fired timer reported it pending")
	}
	slow := c.NewTimer(time.Hour)
	if !slow.Stop() {
		t.Error("Stop on a pending timer reported it fired")
	}
}
