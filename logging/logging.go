// Package logging sets up ehealth-tray's log: log/slog into a size-rotated
// file in the state dir, text or JSON, and optionally mirrored to stderr.
// Callers never log secrets; the log records session starts and stops, their
// method, and what went wrong.
//
// The file is never opened through a symlink nor on a FIFO, and only in a
// folder of the user's own. When it cannot be opened or written, that is
// said once on stderr and the log goes on there.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// Options of the log.
type Options struct {
	Path   string    // the log file; "" = no file
	Level  string    // debug, info, warn, error (default info)
	Format string    // text (default) or json
	Mirror io.Writer // also write here (stderr in the foreground), nil = no
	// Stderr gets the log when the file cannot be written, after one line
	// saying so; nil = Mirror, or os.Stderr without one.
	Stderr io.Writer
}

// Rotation: the file is renamed to .1 (then .2, .3) past 5 MiB.
const (
	maxSize    = 5 << 20
	maxBackups = 3
)

// ParseLevel reads a level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return slog.LevelInfo, fmt.Errorf("log level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// Open returns the logger and a function that closes the file. A log file
// that cannot be opened is no error: the log goes to stderr (see Options).
func Open(o Options) (*slog.Logger, func() error, error) {
	level, err := ParseLevel(o.Level)
	if err != nil {
		return nil, nil, err
	}
	if o.Format != "" && o.Format != "text" && o.Format != "json" {
		return nil, nil, fmt.Errorf("log format must be text or json, not %q", o.Format)
	}
	s := &sink{path: o.Path, mirror: o.Mirror, stderr: o.Stderr}
	if s.stderr == nil {
		s.stderr = o.Mirror
	}
	if s.stderr == nil {
		s.stderr = os.Stderr
	}
	closeFn := func() error { return nil }
	if o.Path != "" {
		if f, err := openRotating(o.Path, maxSize, maxBackups); err != nil {
			s.fail(err)
		} else {
			s.file, closeFn = f, f.Close
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(s, opts)
	if o.Format == "json" {
		h = slog.NewJSONHandler(s, opts)
	}
	return slog.New(h), closeFn, nil
}

// sink writes each record to the file and the mirror. Unlike io.MultiWriter,
// a failing file does not stop the others: it is said once on stderr, and
// the records go there from then on.
type sink struct {
	mu     sync.Mutex
	path   string
	file   io.Writer // nil when there is none, or once it failed
	failed bool
	mirror io.Writer
	stderr io.Writer
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		if _, err := s.file.Write(p); err != nil {
			s.fail(err)
		}
	}
	if s.mirror != nil {
		_, _ = s.mirror.Write(p)
	}
	if s.failed && s.stderr != s.mirror {
		_, _ = s.stderr.Write(p)
	}
	// A record the file could not take is on stderr: not the handler's error.
	return len(p), nil
}

// fail says, once, that the log file cannot be written, and stops using it.
func (s *sink) fail(err error) {
	s.file = nil
	if s.failed {
		return
	}
	s.failed = true
	fmt.Fprintf(s.stderr, "ehealth-tray: cannot write the log file %s (%v); logging to stderr\n", s.path, err)
}
