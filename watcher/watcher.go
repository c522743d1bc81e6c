// Package watcher watches the eHealth keystore folder and reports keystore
// files that appeared or changed, once they are completely written.
//
// It knows nothing about sessions or the tray, and it never writes in the
// folder: it only lists, stats and (through Options.Complete) reads files.
//
// A candidate file (Options.Match on its base name) is reported once its size
// and modification time have held still for Options.Settle and
// Options.Complete accepts it, so a half-written or truncated file is never
// reported. The folder is scanned fully at start, on Rescan (wake from sleep),
// periodically (fsnotify misses events on network folders), after an event
// overflow, and whenever the folder itself appears, is replaced or is
// re-pointed by a symlink. Between those, the watcher sleeps: timers run only
// while a file is settling.
package watcher

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Defaults for the zero values of Options.
const (
	DefaultSettle = 500 * time.Millisecond
	DefaultRescan = 15 * time.Minute
)

// Options configures a Watcher.
type Options struct {
	// Dir is the keystore folder, already expanded (~ resolved by the caller).
	// It may be missing, or be a symlink.
	Dir string
	// Settle is how long a file's size and mtime must stay unchanged before
	// it is checked with Complete (default DefaultSettle).
	Settle time.Duration
	// Rescan is the period of the full rescan (default DefaultRescan).
	Rescan time.Duration
	// Match tells which base names are candidates. It runs before any stat,
	// so unrelated files in the folder cost a name check only.
	Match func(name string) bool
	// Complete reports whether a settled candidate is a complete keystore:
	// nil means complete, an error means not (yet) ready.
	Complete func(path string) error
	// Logger receives the watcher's logs (debug level for file events).
	// Nil means slog.Default().
	Logger *slog.Logger
}

// Event is a complete candidate file that appeared or changed.
type Event struct {
	Path    string // Options.Dir joined with the file name, even when Dir is a symlink
	Size    int64
	ModTime time.Time
}

// Error is a failure to set up or start the watcher.
type Error struct {
	Op  string // "options", "run" or "watch"
	Err error
}

func (e *Error) Error() string { return "keystore watcher: " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *Error) Kind() string { return "keystore-watch" }

// Watcher watches one keystore folder. Create it with New and start it with
// Run; the zero value is not usable.
type Watcher struct {
	opts    Options
	log     *slog.Logger
	events  chan Event
	rescan  chan struct{}
	started atomic.Bool

	// Owned by the Run goroutine.
	fsw     *fsnotify.Watcher
	watched []string            // paths currently added to fsw
	target  string              // Dir resolved through symlinks; "" while it is not a directory
	pending map[string]settling // candidates waiting to hold still, by path
	known   map[string]verdict  // last version of each path given to Complete
	timer   *time.Timer         // armed only while pending is not empty
}

// fileKey identifies one version of a file.
type fileKey struct {
	size  int64
	mtime int64 // UnixNano
}

type settling struct {
	key fileKey
	due time.Time
}

type verdict struct {
	key     fileKey
	ok      bool // Complete accepted it, and it was emitted
	retried bool // a rejected version was given its one retry at a rescan
}

// New checks the options and fills in the defaults. It starts nothing.
func New(o Options) (*Watcher, error) {
	switch {
	case o.Dir == "":
		return nil, &Error{Op: "options", Err: errors.New("option Dir is empty")}
	case o.Match == nil:
		return nil, &Error{Op: "options", Err: errors.New("option Match is nil")}
	case o.Complete == nil:
		return nil, &Error{Op: "options", Err: errors.New("option Complete is nil")}
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, &Error{Op: "options", Err: err}
	}
	o.Dir = dir
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Rescan <= 0 {
		o.Rescan = DefaultRescan
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Watcher{
		opts:    o,
		log:     log.With("component", "watcher", "dir", o.Dir),
		events:  make(chan Event, 16), // room for the start scan's burst
		rescan:  make(chan struct{}, 1),
		pending: make(map[string]settling),
		known:   make(map[string]verdict),
	}, nil
}

// Events delivers complete candidate files. Read it promptly: Run waits for
// the reader once a few events are queued. It is never closed, so a select
// on it cannot spin after Run has returned.
func (w *Watcher) Events() <-chan Event { return w.events }

// Rescan asks Run for a full rescan now, e.g. on wake from sleep. It never
// blocks; requests made while one is queued are merged.
func (w *Watcher) Rescan() {
	select {
	case w.rescan <- struct{}{}:
	default:
	}
}

// Run watches until ctx is done, then releases everything it opened. It
// returns nil on cancellation, and an *Error if it could not start (called
// twice, or no fsnotify watcher available, e.g. the inotify instance limit).
func (w *Watcher) Run(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return &Error{Op: "run", Err: errors.New("Run called twice")}
	}

	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return &Error{Op: "watch", Err: err}
	}
	defer fsw.Close()
	w.fsw = fsw

	w.timer = time.NewTimer(time.Hour)
	w.timer.Stop() // armed by the first settling file
	defer w.timer.Stop()
	ticker := time.NewTicker(w.opts.Rescan)
	defer ticker.Stop()

	w.fullRescan(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-fsw.Events:
			w.handle(ctx, ev)
		case err := <-fsw.Errors:
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("file events lost; rescanning", "err", err)
				w.fullRescan(ctx)
			} else {
				w.log.Warn("fsnotify error", "err", err)
			}
		case <-w.timer.C:
			w.poll(ctx)
		case <-ticker.C:
			w.fullRescan(ctx)
		case <-w.rescan:
			w.fullRescan(ctx)
		}
	}
}

// handle routes one fsnotify event: a file inside the folder, or a change on
// the path leading to the folder (created, deleted, renamed, re-linked).
func (w *Watcher) handle(ctx context.Context, ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	switch {
	case w.target != "" && filepath.Dir(name) == w.target:
		base := filepath.Base(name)
		if !w.opts.Match(base) {
			return
		}
		w.log.Debug("file event", "op", ev.Op.String(), "name", base)
		w.consider(ctx, filepath.Join(w.opts.Dir, base), false)
	case name == w.target || w.onPath(name):
		// Rescan even when the folder resolves to the same path: it may be
		// a new directory, filled before its watch was added.
		w.log.Debug("folder event", "op", ev.Op.String(), "path", name)
		w.fullRescan(ctx)
	}
}

// onPath reports whether p is Dir or one of its ancestors.
func (w *Watcher) onPath(p string) bool {
	sep := string(filepath.Separator)
	return p == w.opts.Dir || strings.HasPrefix(w.opts.Dir, strings.TrimSuffix(p, sep)+sep)
}

// fullRescan re-resolves the folder (symlinks may have been re-pointed
// without an event) and looks at every candidate in it.
func (w *Watcher) fullRescan(ctx context.Context) {
	w.rewatch()
	w.scan(ctx)
}

// rewatch watches the resolved folder, if it is there, and its nearest
// existing ancestor, to see the folder appear, vanish or be re-linked.
func (w *Watcher) rewatch() {
	var want []string
	var target string
	// Retry while an ancestor appears between looking and watching: its
	// creation event would have been missed.
	for range 8 {
		anchor := nearestDir(filepath.Dir(w.opts.Dir))
		w.add(anchor)
		target = resolveDir(w.opts.Dir)
		want = []string{anchor}
		if target != "" {
			w.add(target)
			want = append(want, target)
		}
		if nearestDir(filepath.Dir(w.opts.Dir)) == anchor {
			break
		}
	}
	for _, p := range w.watched {
		if !slices.Contains(want, p) {
			// The watch may already be gone with its directory.
			_ = w.fsw.Remove(p)
		}
	}
	if target != w.target || w.watched == nil {
		if target == "" {
			w.log.Info("keystore folder not found; waiting for it")
		} else {
			w.log.Info("watching keystore folder", "target", target)
		}
	}
	w.watched, w.target = want, target
}

func (w *Watcher) add(p string) {
	// Re-adding a watched path is harmless, and re-arms a watch the kernel
	// dropped with a deleted directory of the same name.
	if err := w.fsw.Add(p); err != nil {
		w.log.Warn("cannot watch; relying on rescans", "path", p, "err", err)
	}
}

// scan looks at every candidate in the folder. Only matching names are
// stat'ed.
func (w *Watcher) scan(ctx context.Context) {
	if w.target == "" {
		return
	}
	names, err := readNames(w.opts.Dir)
	if err != nil {
		w.log.Warn("cannot list keystore folder", "err", err)
		return
	}
	for _, n := range names {
		if ctx.Err() != nil {
			return
		}
		if w.opts.Match(n) {
			w.consider(ctx, filepath.Join(w.opts.Dir, n), true)
		}
	}
}

func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err == io.EOF {
		err = nil
	}
	return names, err
}

// consider starts (or restarts) the settle wait for a candidate. From a scan,
// a version already judged is not waited on again; a rejected one gets its
// single retry.
func (w *Watcher) consider(ctx context.Context, path string, fromScan bool) {
	k, ok := stat(path)
	if !ok {
		delete(w.pending, path)
		w.arm()
		return
	}
	if v, seen := w.known[path]; fromScan && seen && v.key == k {
		if !v.ok && !v.retried {
			v.retried = true
			w.judge(ctx, path, v)
		}
		return
	}
	w.pending[path] = settling{key: k, due: time.Now().Add(w.opts.Settle)}
	w.arm()
}

// poll checks the candidates whose settle time is up: those that changed
// wait again, those that held still go to Complete.
func (w *Watcher) poll(ctx context.Context) {
	now := time.Now()
	for path, s := range w.pending {
		if now.Before(s.due) {
			continue
		}
		k, ok := stat(path)
		switch {
		case !ok:
			delete(w.pending, path)
		case k != s.key:
			w.pending[path] = settling{key: k, due: now.Add(w.opts.Settle)}
		default:
			delete(w.pending, path)
			// A rejected version is asked about again: the event may be the
			// one that makes it readable (a chmod at the end of a copy).
			if v, seen := w.known[path]; !seen || v.key != k || !v.ok {
				w.judge(ctx, path, verdict{key: k})
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
	w.arm()
}

// judge asks Complete about one settled version, records the answer, and
// emits the file if it is complete.
func (w *Watcher) judge(ctx context.Context, path string, v verdict) {
	err := w.opts.Complete(path)
	v.ok = err == nil
	w.known[path] = v
	if err != nil {
		w.log.Debug("candidate not complete", "path", path, "err", err)
		return
	}
	ev := Event{Path: path, Size: v.key.size, ModTime: time.Unix(0, v.key.mtime)}
	w.log.Debug("keystore file ready", "path", path, "size", ev.Size)
	select {
	case w.events <- ev:
	case <-ctx.Done():
	}
}

// arm points the timer at the earliest settle deadline, or stops it.
func (w *Watcher) arm() {
	if len(w.pending) == 0 {
		w.timer.Stop()
		return
	}
	var first time.Time
	for _, s := range w.pending {
		if first.IsZero() || s.due.Before(first) {
			first = s.due
		}
	}
	w.timer.Reset(time.Until(first))
}

// stat returns the version of a regular file; false if it is gone or not a
// regular file.
func stat(path string) (fileKey, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fileKey{}, false
	}
	return fileKey{size: fi.Size(), mtime: fi.ModTime().UnixNano()}, true
}

// resolveDir returns dir with symlinks resolved; "" if it is not an existing
// directory.
func resolveDir(dir string) string {
	t, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(t); err != nil || !fi.IsDir() {
		return ""
	}
	return t
}

// nearestDir returns p or its nearest ancestor that is an existing directory.
func nearestDir(p string) string {
	for {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		up := filepath.Dir(p)
		if up == p {
			return p
		}
		p = up
	}
}
