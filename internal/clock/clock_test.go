package clock

import (
	"testing"
	"time"
)

func TestSystem(t *testing.T) {
	c := System()
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
