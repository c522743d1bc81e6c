package statefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

func TestIsSharingViolation(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&fs.PathError{Op: "open", Path: "x", Err: windows.ERROR_SHARING_VIOLATION}, true},
		{&fs.PathError{Op: "rename", Path: "x", Err: windows.ERROR_LOCK_VIOLATION}, true},
		{&fs.PathError{Op: "open", Path: "x", Err: windows.ERROR_ACCESS_DENIED}, false},
		{fs.ErrNotExist, false},
	} {
		if got := isSharingViolation(c.err); got != c.want {
			t.Errorf("%v: got %v", c.err, got)
		}
	}
	denied := &os.LinkError{Op: "rename", Old: "a", New: "b", Err: windows.ERROR_ACCESS_DENIED}
	if !isBusyName(denied) || isBusyName(fs.ErrNotExist) {
		t.Error("a rename over a file held open must be retried, a missing file not")
	}
}

// holdExclusive opens path with no sharing, as an antivirus scan does.
func holdExclusive(t *testing.T, path string) windows.Handle {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestLockedStateFileRetried: a session.json held by another process for a
// moment turned the session cache off for good (issue 12). Reads, atomic
// replaces and removes wait for it, a bounded time.
func TestLockedStateFileRetried(t *testing.T) {
	p := filepath.Join(t.TempDir(), "session.json")
	if err := WriteAtomic(p, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"read", func() error { _, err := ReadFile(p, MaxSize); return err }},
		{"replace", func() error { return WriteAtomic(p, []byte(`{"n":2}`)) }},
		{"remove", func() error { return Remove(p) }},
	}
	for _, op := range ops {
		h := holdExclusive(t, p)
		release := time.AfterFunc(3*retryFirst, func() { _ = windows.CloseHandle(h) })
		if err := op.run(); err != nil {
			t.Errorf("%s while briefly held: %v", op.name, err)
		}
		if release.Stop() {
			_ = windows.CloseHandle(h)
		}
	}
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("not removed: %v", err)
	}
}
