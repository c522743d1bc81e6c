// Package logtest is the log handler of the tests. It keeps every record, at
// every level, so that a test can count messages, wait for one (to know the
// code reached a state that has no other outward sign) and read the records
// as the JSON lines a real handler writes (to check what never gets logged).
package logtest

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// Tap is a slog.Handler that records. The zero value is not usable: call New.
type Tap struct {
	s *shared
	h slog.Handler // writes JSON lines into s.out; carries WithAttrs/WithGroup
}

type shared struct {
	mu      sync.Mutex
	out     bytes.Buffer
	msgs    []string
	waited  int           // Wait has consumed msgs[:waited]
	changed chan struct{} // closed and replaced at each record
}

// New returns an empty Tap.
func New() *Tap {
	s := &shared{changed: make(chan struct{})}
	return &Tap{s: s, h: slog.NewJSONHandler(&s.out, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

// Logger is a logger that writes to t.
func (t *Tap) Logger() *slog.Logger { return slog.New(t) }

// Enabled is true at every level.
func (t *Tap) Enabled(context.Context, slog.Level) bool { return true }

// Handle records r.
func (t *Tap) Handle(ctx context.Context, r slog.Record) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.msgs = append(t.s.msgs, r.Message)
	close(t.s.changed)
	t.s.changed = make(chan struct{})
	return t.h.Handle(ctx, r)
}

// WithAttrs returns a Tap that records into t with attrs added.
func (t *Tap) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Tap{s: t.s, h: t.h.WithAttrs(attrs)}
}

// WithGroup returns a Tap that records into t under the group name.
func (t *Tap) WithGroup(name string) slog.Handler {
	return &Tap{s: t.s, h: t.h.WithGroup(name)}
}

// String returns every record so far, one JSON object a line.
func (t *Tap) String() string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.s.out.String()
}

// Messages returns the messages of the records so far, oldest first.
func (t *Tap) Messages() []string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return append([]string(nil), t.s.msgs...)
}

// Count is the number of records whose message is msg.
func (t *Tap) Count(msg string) int {
	n := 0
	for _, m := range t.Messages() {
		if m == msg {
			n++
		}
	}
	return n
}

// Wait waits, up to 10 seconds, for a record whose message is msg and that no
// earlier Wait returned on; it fails tb if none comes. Records logged before
// the call count: a state already reached is not waited for again.
func (t *Tap) Wait(tb testing.TB, msg string) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		t.s.mu.Lock()
		for i := t.s.waited; i < len(t.s.msgs); i++ {
			if t.s.msgs[i] == msg {
				t.s.waited = i + 1
				t.s.mu.Unlock()
				return
			}
		}
		changed := t.s.changed
		t.s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			tb.Fatalf("no log %q; logged:\n%s", msg, t.String())
		}
	}
}
