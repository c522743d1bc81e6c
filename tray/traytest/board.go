package traytest

import (
	"context"
	"errors"
	"sync"
	"time"
)

// board is a list filled by D-Bus handlers and waited on by tests.
type board[T any] struct {
	mu      sync.Mutex
	items   []T
	changed chan struct{} // closed and replaced on every change
}

func newBoard[T any]() *board[T] { return &board[T]{changed: make(chan struct{})} }

// update changes the list under the lock and wakes the waiters.
func (b *board[T]) update(f func([]T) []T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.items = f(b.items)
	close(b.changed)
	b.changed = make(chan struct{})
}

func (b *board[T]) snapshot() []T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]T(nil), b.items...)
}

// wait returns the first item matching pred, waiting for one to arrive.
func (b *board[T]) wait(ctx context.Context, pred func(T) bool) (T, error) {
	for {
		b.mu.Lock()
		changed := b.changed
		for _, it := range b.items {
			if pred(it) {
				b.mu.Unlock()
				return it, nil
			}
		}
		b.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}

// poll calls get until ok accepts its result, every pollInterval. Used where
// the remote side has no signal we listen to. On ctx done it returns the
// last result get returned without error, and the last error or ctx's.
func poll[T any](ctx context.Context, get func(context.Context) (T, error), ok func(T) bool) (T, error) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	var last T
	for {
		v, err := get(ctx)
		if err == nil {
			if ok(v) {
				return v, nil
			}
			last = v
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return last, errors.Join(ctx.Err(), err)
		}
	}
}

const pollInterval = 20 * time.Millisecond
