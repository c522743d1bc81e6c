// Package logging sets up ehealth-tray's log: log/slog into a size-rotated
// file in the state dir (lumberjack), text or JSON, and optionally mirrored
// to stderr. Callers never log secrets; the log records session starts and
// stops, their method, and what went wrong.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Options of the log.
type Options struct {
	Path   string    // the log file; "" = no file
	Level  string    // debug, info, warn, error (default info)
	Format string    // text (default) or json
	Mirror io.Writer // also write here (stderr in the foreground), nil = no
}

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

// Open returns the logger and a function that closes the file.
func Open(o Options) (*slog.Logger, func() error, error) {
	level, err := ParseLevel(o.Level)
	if err != nil {
		return nil, nil, err
	}
	if o.Format != "" && o.Format != "text" && o.Format != "json" {
		return nil, nil, fmt.Errorf("log format must be text or json, not %q", o.Format)
	}
	var writers []io.Writer
	closeFn := func() error { return nil }
	if o.Path != "" {
		// Create the file private before lumberjack opens it: it keeps the
		// mode of an existing file, and rotated files inherit it.
		if f, err := os.OpenFile(o.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
			_ = f.Close()
		}
		lj := &lumberjack.Logger{Filename: o.Path, MaxSize: 5, MaxBackups: 3, MaxAge: 90}
		writers = append(writers, lj)
		closeFn = lj.Close
	}
	if o.Mirror != nil {
		writers = append(writers, o.Mirror)
	}
	w := io.MultiWriter(writers...)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if o.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h), closeFn, nil
}
