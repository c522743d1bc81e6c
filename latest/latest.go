// Package latest is a one-slot channel where the newest value wins: a reader
// that falls behind gets the latest value, never a backlog, and the writer
// never blocks. Session snapshots and tray states travel this way.
package latest

import "sync"

// Chan holds at most one unread value. Its zero value is not usable: make
// one with New.
type Chan[T any] struct {
	mu     sync.Mutex
	c      chan T
	closed bool
}

// New returns an empty Chan.
func New[T any]() *Chan[T] { return &Chan[T]{c: make(chan T, 1)} }

// Send replaces the unread value, if any, with v. It never blocks; after
// Close it does nothing.
func (l *Chan[T]) Send(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	select {
	case <-l.c:
	default:
	}
	l.c <- v // cannot block: only Send fills the slot, under mu, and it is free
}

// Recv is the channel to receive from.
func (l *Chan[T]) Recv() <-chan T { return l.c }

// Close closes the channel; a value not yet received can still be.
func (l *Chan[T]) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.c)
	}
}
