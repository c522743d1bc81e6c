package watcher_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/cert/certtest"
	"ehealth-tray/logging/logtest"
	"ehealth-tray/watcher"
)

// Files in these tests are written by another process where it matters: the
// test binary re-executed with writerEnv set (see TestMain and writer).
const writerEnv = "WATCHER_TEST_WRITER"

// trailer ends every complete test keystore. It stands in for cert.Probe:
// a file without it is half-written or truncated.
const trailer = "\n-- end of test keystore --\n"

// keystoreName mirrors ehealth-protocol.md §8; it stands in for cert.ParseName.
var keystoreName = regexp.MustCompile(`(?i)^SSIN=\d{11}[ -]\d{8}-\d{6}\.(p12|acc-p12|acc\.p12)$`)

var errIncomplete = errors.New("no trailer: incomplete")

// Generous waits for things that must happen; short ones for things that
// must not. Neither is a speed assertion: speed is in the benchmarks.
const (
	eventTimeout = 10 * time.Second
	quietFor     = time.Second
	fastSettle   = 100 * time.Millisecond
)

func TestMain(m *testing.M) {
	if os.Getenv(writerEnv) == "1" {
		if err := writer(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writer runs in the child process.
//
//	copy SRC DST N GAP  append SRC's bytes to DST in N chunks, GAP apart
//	rename SRC DST      copy SRC under a temporary name next to DST, rename it to DST
func writer(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: copy SRC DST N GAP | rename SRC DST")
	}
	data, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	dst := args[2]
	switch {
	case args[0] == "copy" && len(args) == 5:
		n, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		gap, err := time.ParseDuration(args[4])
		if err != nil {
			return err
		}
		for i := range n {
			if i > 0 {
				// A slow writer in another process: the gaps are the
				// real-time behaviour under test.
				time.Sleep(gap)
			}
			if err := appendFile(dst, data[len(data)*i/n:len(data)*(i+1)/n]); err != nil {
				return err
			}
		}
		return nil
	case args[0] == "rename":
		tmp := filepath.Join(filepath.Dir(dst), ".incoming-"+filepath.Base(dst))
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, dst)
	}
	return fmt.Errorf("bad arguments %q", args)
}

func appendFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runWriter runs the writer in a child process and waits for it.
func runWriter(t testing.TB, args ...string) {
	t.Helper()
	startWriter(t, args...)()
}

// startWriter starts the writer in a child process; wait waits for it.
func startWriter(t testing.TB, args ...string) (wait func()) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), writerEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %v: %v\n%s", args, err, out.String())
		}
	}
}

// keystore returns complete test keystore content of the given total size.
func keystore(size int) []byte {
	return append(bytes.Repeat([]byte("k"), size-len(trailer)), trailer...)
}

// staged writes data outside any watched folder, for the writer to copy.
func staged(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// renameInto has another process put a complete keystore of size bytes at
// path, written under a temporary name and renamed into place.
func renameInto(t *testing.T, path string, size int) {
	t.Helper()
	runWriter(t, "rename", staged(t, keystore(size)), path)
}

func hasTrailer(data []byte) error {
	if !bytes.HasSuffix(data, []byte(trailer)) {
		return errIncomplete
	}
	return nil
}

func name(i int) string { return fmt.Sprintf("SSIN=%011d 20261128-%06d.p12", 85073100123, i) }

// probe is the test's Complete: it reads the file, has check judge it, and
// counts calls per base name.
type probe struct {
	check func([]byte) error
	mu    sync.Mutex
	calls map[string]int
	gate  chan struct{} // while set, calls wait for it to close
	// called is closed and replaced at each call, for waitCalls.
	called chan struct{}
	// allow, when set, accepts files regardless of content.
	allow atomic.Bool
}

func (p *probe) complete(path string) error {
	p.mu.Lock()
	if p.calls == nil {
		p.calls = make(map[string]int)
	}
	p.calls[filepath.Base(path)]++
	if p.called != nil { // a probe made without it (the benchmarks) has no waiter
		close(p.called)
	}
	p.called = make(chan struct{})
	gate := p.gate
	p.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if p.allow.Load() {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return p.check(b)
}

// pause makes the next calls wait, and so stalls the watcher's loop, until
// resume is called.
func (p *probe) pause() (resume func()) {
	gate := make(chan struct{})
	p.mu.Lock()
	p.gate = gate
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.gate = nil
		p.mu.Unlock()
		close(gate)
	}
}

func (p *probe) count(base string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[base]
}

func (p *probe) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		n += c
	}
	return n
}

// logMissing is logged once the watcher knows the folder is not there.
const logMissing = "keystore folder not found; waiting for it"

type harness struct {
	w     *watcher.Watcher
	probe *probe
	logs  *logtest.Tap
	stop  func() error // cancels Run and returns its error
}

// start runs a watcher on dir until the test ends, with the test stand-ins
// for cert.ParseName and cert.Probe.
func start(t *testing.T, dir string, settle time.Duration) *harness {
	t.Helper()
	return startWith(t, dir, settle, keystoreName.MatchString, hasTrailer)
}

func startWith(t *testing.T, dir string, settle time.Duration, match func(string) bool, check func([]byte) error) *harness {
	t.Helper()
	h := &harness{probe: &probe{check: check, called: make(chan struct{})}, logs: logtest.New()}
	w, err := watcher.New(watcher.Options{
		Dir:      dir,
		Settle:   settle,
		Match:    match,
		Complete: h.probe.complete,
		Logger:   h.logs.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.w = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	var runErr error
	h.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(eventTimeout):
				t.Fatal("Run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Log(h.logs.String())
		}
	})
	return h
}

// startReady puts a complete sentinel keystore in dir and starts a watcher,
// returning once the sentinel is reported: the start scan is done and the
// folder is watched.
func startReady(t *testing.T, dir string, settle time.Duration) *harness {
	t.Helper()
	writeKeystore(t, filepath.Join(dir, name(0)), 1000)
	h := start(t, dir, settle)
	h.expect(t, filepath.Join(dir, name(0)))
	return h
}

func writeKeystore(t testing.TB, path string, size int) {
	t.Helper()
	if err := os.WriteFile(path, keystore(size), 0o600); err != nil {
		t.Fatal(err)
	}
}

// expect waits for one event per path, in any order, and checks each
// against the file on disk.
func (h *harness) expect(t *testing.T, paths ...string) {
	t.Helper()
	want := slices.Clone(paths)
	for len(want) > 0 {
		select {
		case ev := <-h.w.Events():
			i := slices.Index(want, ev.Path)
			if i < 0 {
				t.Fatalf("event for %s, want one of %v", ev.Path, want)
			}
			want = slices.Delete(want, i, i+1)
			fi, err := os.Stat(ev.Path)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Size != fi.Size() || !ev.ModTime.Equal(fi.ModTime()) {
				t.Fatalf("event %+v, file on disk has size %d mtime %v", ev, fi.Size(), fi.ModTime())
			}
		case <-time.After(eventTimeout):
			t.Fatalf("no event for %v", want)
		}
	}
}

// quiet checks that no event comes for a while. The watcher reads the real
// inotify queue and settles files on a real timer, so "no more events" has no
// event of its own to await; quietFor is longer than fastSettle and the
// writers' gaps, so a late event would arrive within it.
func (h *harness) quiet(t *testing.T) {
	t.Helper()
	select {
	case ev := <-h.w.Events():
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(quietFor):
	}
}

func mkdir(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewRejectsIncompleteOptions(t *testing.T) {
	ok := func(string) bool { return true }
	complete := func(string) error { return nil }
	for _, tc := range []struct {
		name string
		o    watcher.Options
	}{
		{"no dir", watcher.Options{Match: ok, Complete: complete}},
		{"no match", watcher.Options{Dir: t.TempDir(), Complete: complete}},
		{"no complete", watcher.Options{Dir: t.TempDir(), Match: ok}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := watcher.New(tc.o)
			var k interface{ Kind() string }
			if w != nil || !errors.As(err, &k) || k.Kind() != "keystore-watch" {
				t.Fatalf("New = %v, %v; want a keystore-watch error", w, err)
			}
		})
	}
}

func TestStartScanEmitsCompleteCandidatesOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	complete := []string{name(1), "ssin=85073100123-20250101-000000.acc-p12"}
	for _, n := range complete {
		writeKeystore(t, filepath.Join(dir, n), 700)
	}
	// A truncated keystore, and files whose names are not candidates.
	if err := os.WriteFile(filepath.Join(dir, name(2)), keystore(700)[:300], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"notes.txt", name(3) + ".part", "SSIN=123.p12"} {
		writeKeystore(t, filepath.Join(dir, n), 700)
	}
	mkdir(t, filepath.Join(dir, name(4))) // a directory with a candidate name

	h := start(t, dir, fastSettle)
	h.expect(t, filepath.Join(dir, complete[0]), filepath.Join(dir, complete[1]))
	h.quiet(t)
	if n := h.probe.count(name(2)); n != 1 {
		t.Errorf("truncated file checked %d times, want 1", n)
	}
	if n := h.probe.total(); n != 3 {
		t.Errorf("Complete called %d times, want 3 (non-candidates never)", n)
	}

	// A rescan emits nothing already emitted.
	h.w.Rescan()
	h.quiet(t)
}

func TestRejectedFileRetriedOnceAtRescan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startReady(t, dir, fastSettle)
	bad := filepath.Join(dir, name(1))
	if err := os.WriteFile(bad, []byte("not a keystore"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitCalls(t, h.probe, name(1), 1)

	h.w.Rescan()
	waitCalls(t, h.probe, name(1), 2)
	h.quiet(t)

	// The retry is spent: later rescans leave this version alone, even if
	// Complete would now accept it.
	h.probe.allow.Store(true)
	h.w.Rescan()
	h.quiet(t)
	if n := h.probe.count(name(1)); n != 2 {
		t.Fatalf("Complete called %d times on one rejected version, want 2", n)
	}

	// A new version is looked at again.
	h.probe.allow.Store(false)
	writeKeystore(t, bad, 800)
	h.expect(t, bad)
}

func TestRejectedFileAcceptedAtRescan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startReady(t, dir, fastSettle)
	f := filepath.Join(dir, name(1))
	if err := os.WriteFile(f, []byte("not yet"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitCalls(t, h.probe, name(1), 1)
	h.quiet(t)
	h.probe.allow.Store(true)
	h.w.Rescan()
	h.expect(t, f)
}

// Any later event on a rejected file, even one that changes neither size nor
// mtime, has it checked again.
func TestRejectedFileCheckedAgainOnEvent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startReady(t, dir, fastSettle)
	f := filepath.Join(dir, name(1))
	if err := os.WriteFile(f, []byte("not yet"), 0o200); err != nil {
		t.Fatal(err)
	}
	waitCalls(t, h.probe, name(1), 1)
	h.quiet(t)
	h.probe.allow.Store(true)
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	h.expect(t, f)
}

func waitCalls(t *testing.T, p *probe, base string, n int) {
	t.Helper()
	deadline := time.After(eventTimeout)
	for {
		p.mu.Lock()
		got, called := p.calls[base], p.called
		p.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-called:
		case <-deadline:
			t.Fatalf("Complete called %d times on %s, want %d", got, base, n)
		}
	}
}

func TestSlowChunkedWriterEmitsOnceWhenComplete(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		settle time.Duration // 0: the default
		chunks int
		gap    time.Duration
		accept bool // Complete accepts anything: only debouncing holds the file back
	}{
		{"gaps shorter than settle", 0, 10, 200 * time.Millisecond, true},
		// The file holds still between chunks: Complete must refuse the parts.
		{"gaps longer than settle", fastSettle, 5, 400 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			h := startReady(t, dir, tc.settle)
			h.probe.allow.Store(tc.accept)
			f := filepath.Join(dir, name(1))
			data := keystore(tc.chunks * 512)
			runWriter(t, "copy", staged(t, data), f, strconv.Itoa(tc.chunks), tc.gap.String())
			h.expect(t, f)
			h.quiet(t)
			if got, err := os.ReadFile(f); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("writer did not finish the file: %v", err)
			}
			if !tc.accept && h.probe.count(name(1)) < 2 {
				t.Errorf("Complete called %d times: the partial file was never checked, so the test proved nothing", h.probe.count(name(1)))
			}
		})
	}
}

// The same with a real eHealth-like keystore, cert.ParseName and cert.Probe,
// as the app wires them: no part of the file is offered, and a truncated
// copy never is.
func TestRealKeystoreWrittenInChunks(t *testing.T) {
	t.Parallel()
	fx, err := certtest.New(certtest.Options{SSIN: "85073100130"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	match := func(n string) bool { _, ok := cert.ParseName(n); return ok }
	h := startWith(t, dir, fastSettle, match, cert.Probe)

	created := time.Date(2026, 11, 28, 10, 0, 0, 0, time.Local)
	truncated := filepath.Join(dir, certtest.FileName("85073100130", created, false))
	if err := os.WriteFile(truncated, fx.P12[:len(fx.P12)-100], 0o600); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, certtest.FileName("85073100130", created.Add(time.Hour), false))
	runWriter(t, "copy", staged(t, fx.P12), f, "6", "300ms")
	h.expect(t, f)
	h.quiet(t)
	if n := h.probe.count(filepath.Base(f)); n < 2 {
		t.Errorf("cert.Probe called %d times on the keystore: its parts were never checked", n)
	}
	if n := h.probe.count(filepath.Base(truncated)); n != 1 {
		t.Errorf("cert.Probe called %d times on the truncated keystore, want 1", n)
	}
}

// On a network folder, writes by another machine raise no events. A file
// seen once must still be held back until it stops changing. Writing through
// a hard link in another directory raises no event in the watched one.
func TestWritesWithoutEventsWaitForStillness(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	h := startReady(t, dir, 0)
	src := filepath.Join(elsewhere, "incoming")
	wait := startWriter(t, "copy", staged(t, keystore(15*512)), src, "15", "100ms")
	// The writer is another process writing where no watch is: its first
	// bytes raise no event here, so poll for them.
	for fi, err := os.Stat(src); err != nil || fi.Size() == 0; fi, err = os.Stat(src) {
		time.Sleep(5 * time.Millisecond)
	}
	f := filepath.Join(dir, name(1))
	if err := os.Link(src, f); err != nil {
		t.Fatal(err)
	}
	wait()
	h.expect(t, f)
	h.quiet(t)
}

func TestRenamedIntoPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startReady(t, dir, fastSettle)
	f := filepath.Join(dir, name(1))
	renameInto(t, f, 3000)
	h.expect(t, f)
	h.quiet(t)
}

func TestFolderMissingThenCreated(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "ehealth", "keystore")
	h := start(t, dir, fastSettle)
	h.logs.Wait(t, logMissing)

	mkdir(t, dir)
	f := filepath.Join(dir, name(1))
	renameInto(t, f, 1500)
	h.expect(t, f)
}

func TestFolderDeletedAndRecreated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// Whether the watcher sees the folder gone before it is recreated
		// and filled, or is busy until after.
		busy bool
	}{{"seen gone", false}, {"recreated while busy", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "keystore")
			mkdir(t, dir)
			h := startReady(t, dir, fastSettle)
			resume := func() {}
			if tc.busy {
				resume = h.probe.pause()
				writeKeystore(t, filepath.Join(dir, name(9)), 900)
				waitCalls(t, h.probe, name(9), 1)
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if !tc.busy {
				h.logs.Wait(t, logMissing)
			}
			mkdir(t, dir)
			f := filepath.Join(dir, name(1))
			writeKeystore(t, f, 900)
			resume()
			h.expect(t, f)

			// The new folder is watched, not just scanned once.
			g := filepath.Join(dir, name(2))
			renameInto(t, g, 900)
			h.expect(t, g)
		})
	}
}

func TestSymlinkedFolderAtStart(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	real := mkdir(t, filepath.Join(root, "real"))
	link := filepath.Join(root, "keystore")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	writeKeystore(t, filepath.Join(real, name(0)), 1000)
	h := start(t, link, fastSettle)
	h.expect(t, filepath.Join(link, name(0)))

	renameInto(t, filepath.Join(real, name(1)), 1000)
	h.expect(t, filepath.Join(link, name(1)))
}

func TestFolderReplacedBySymlink(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := mkdir(t, filepath.Join(root, "keystore"))
	h := startReady(t, dir, fastSettle)

	// The folder becomes a symlink to a folder that already holds a keystore.
	other := mkdir(t, filepath.Join(root, "other"))
	writeKeystore(t, filepath.Join(other, name(1)), 1100)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, dir); err != nil {
		t.Fatal(err)
	}
	h.expect(t, filepath.Join(dir, name(1)))
	renameInto(t, filepath.Join(other, name(2)), 1100)
	h.expect(t, filepath.Join(dir, name(2)))

	// The symlink is re-pointed atomically, as `ln -sfn` would.
	third := mkdir(t, filepath.Join(root, "third"))
	writeKeystore(t, filepath.Join(third, name(3)), 1200)
	tmp := filepath.Join(root, "keystore.new")
	if err := os.Symlink(third, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	h.expect(t, filepath.Join(dir, name(3)))
}

// A symlink above the folder's parent is not watched; a rescan re-resolves it.
func TestRescanReresolvesSymlinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mkdir(t, filepath.Join(root, "x", "keystore"))
	writeKeystore(t, filepath.Join(mkdir(t, filepath.Join(root, "y", "keystore")), name(1)), 1000)
	link := filepath.Join(root, "ehealth")
	if err := os.Symlink(filepath.Join(root, "x"), link); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(link, "keystore")
	h := startReady(t, dir, fastSettle)

	tmp := filepath.Join(root, "ehealth.new")
	if err := os.Symlink(filepath.Join(root, "y"), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	h.w.Rescan()
	h.expect(t, filepath.Join(dir, name(1)))
}

func TestUnrelatedFilesProduceNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unrelated := func(from, to int) {
		for i := from; i < to; i++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("scan-%04d.pdf", i)), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	unrelated(0, 2000)
	h := startReady(t, dir, fastSettle)
	unrelated(2000, 4000)
	for _, n := range []string{"notes.p12", "SSIN=123 20261128-101010.p12", name(1) + ".tmp", name(1) + ".bak"} {
		writeKeystore(t, filepath.Join(dir, n), 500)
	}
	h.quiet(t)
	if n := h.probe.total(); n != 1 {
		t.Fatalf("Complete called %d times, want 1 (the sentinel only)", n)
	}
}

func TestChangedFileEmittedAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startReady(t, dir, fastSettle)
	f := filepath.Join(dir, name(0))

	// Rewritten with another size.
	writeKeystore(t, f, 2000)
	h.expect(t, f)

	// Same size, another mtime.
	mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(f, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	h.expect(t, f)

	// Neither size nor mtime changes: not again.
	if err := os.Chmod(f, 0o400); err != nil {
		t.Fatal(err)
	}
	h.quiet(t)

	// Truncated: never offered.
	if err := os.Truncate(f, 100); err != nil {
		t.Fatal(err)
	}
	h.quiet(t)
}

// snapshot records everything the watcher could have changed in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		sum := ""
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		s[p] = fmt.Sprint(fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Not parallel: it counts goroutines.
func TestCancelStopsEverythingAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeKeystore(t, filepath.Join(dir, name(1)), 1000)
	if err := os.WriteFile(filepath.Join(dir, name(2)), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeKeystore(t, filepath.Join(dir, "other.txt"), 1000)
	before := snapshot(t, dir)
	goroutines := runtime.NumGoroutine()

	h := start(t, dir, fastSettle)
	h.expect(t, filepath.Join(dir, name(1)))
	h.w.Rescan()
	h.quiet(t)

	if err := h.stop(); err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	h.w.Rescan() // must neither block nor panic once stopped
	select {
	case ev := <-h.w.Events():
		t.Fatalf("event %+v after Run returned", ev)
	default: // and Events is left open: no spinning select in the reader
	}
	var k interface{ Kind() string }
	if err := h.w.Run(context.Background()); !errors.As(err, &k) {
		t.Fatalf("second Run = %v, want a typed error", err)
	}

	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Fatalf("folder changed:\nbefore %v\nafter  %v", before, after)
	}

	// Run's goroutine and fsnotify's reader are gone. Wait a little for
	// goroutines on their way out, but allow none to stay.
	deadline := time.Now().Add(eventTimeout)
	for runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before start:\n%s", runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
