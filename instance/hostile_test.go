//go:build unix

package instance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ehealth-tray/errkind"
	"ehealth-tray/safefile/hostiletest"
	"ehealth-tray/statefile"
)

// assertNoPrimary: the lock cannot be taken, and the error says so (it is
// not "already running", which would let the caller think another tray is).
func assertNoPrimary(t *testing.T, dir, kind string) {
	t.Helper()
	for range 2 {
		p, err := Acquire(dir)
		if err == nil {
			p.Close()
			t.Fatal("became primary without a lock")
		}
		if errors.Is(err, ErrRunning) || errkind.Of(err) != kind {
			t.Fatalf("want kind %s, got %v", kind, err)
		}
	}
}

// TestLockDirectoryRefused: an instance.lock that is a folder let two trays
// run (the lock failed, and the tray went on without it).
func TestLockDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "instance.lock"), 0o700); err != nil {
		t.Fatal(err)
	}
	assertNoPrimary(t, dir, "not-regular-file")
}

// TestLockSymlinkCreatesNothing: an instance.lock symlink created its
// target (issue 14 §2).
func TestLockSymlinkCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "created")
	if err := os.Symlink(target, filepath.Join(dir, "instance.lock")); err != nil {
		t.Fatal(err)
	}
	assertNoPrimary(t, dir, "not-regular-file")
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the symlink's target was created")
	}
}

// TestLockFIFONoHang: a FIFO named instance.lock hung the tray at start.
func TestLockFIFONoHang(t *testing.T) {
	dir := t.TempDir()
	hostiletest.FIFO(t, filepath.Join(dir, "instance.lock"))
	assertNoPrimary(t, dir, "not-regular-file")
}

// TestForeignStateFolderNoLock: no lock is taken in someone else's folder.
func TestForeignStateFolderNoLock(t *testing.T) {
	dir := filepath.Join(hostiletest.SharedDir(t), "state")
	hostiletest.AsOther(t, "mkdir -m 0777 "+dir)
	assertNoPrimary(t, dir, "state-folder-refused")
	var de *statefile.DirError
	if _, err := Acquire(dir); !errors.As(err, &de) {
		t.Fatalf("want a *statefile.DirError, got %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "instance.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a lock was created in someone else's folder")
	}
}
