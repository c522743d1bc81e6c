package latest

import "testing"

func TestNewestWins(t *testing.T) {
	l := New[int]()
	for i := range 5 {
		l.Send(i) // never blocks, though nobody receives
	}
	if got := <-l.Recv(); got != 4 {
		t.Fatalf("got %d, want the newest value 4", got)
	}
	select {
	case v := <-l.Recv():
		t.Fatalf("a stale value %d was kept", v)
	default:
	}
	l.Send(7)
	l.Close()
	l.Send(8) // after Close: ignored, no panic
	if v, ok := <-l.Recv(); !ok || v != 7 {
		t.Fatalf("after Close: %d %v, want the unread 7", v, ok)
	}
	if _, ok := <-l.Recv(); ok {
		t.Fatal("channel not closed")
	}
}

func TestConcurrentSenders(t *testing.T) {
	l := New[int]()
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			for i := range 1000 {
				l.Send(g*1000 + i)
			}
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
	select {
	case <-l.Recv():
	default:
		t.Fatal("no value after 4000 sends")
	}
}
