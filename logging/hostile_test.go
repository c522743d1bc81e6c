//go:build unix

package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ehealth-tray/safefile/hostiletest"
)

const notice = "cannot write the log file"

// openTo opens the log at path with stderr captured, logs three warnings,
// and returns what stderr got.
func openTo(t *testing.T, path string, mirror bool) string {
	t.Helper()
	var stderr bytes.Buffer
	o := Options{Path: path, Stderr: &stderr}
	if mirror {
		o = Options{Path: path, Mirror: &stderr}
	}
	log, closeFn, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		log.Warn("renewal failed", "try", i)
	}
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	return stderr.String()
}

// assertOnStderr: the problem is said once and every record still shows.
func assertOnStderr(t *testing.T, out string) {
	t.Helper()
	if n := strings.Count(out, notice); n != 1 {
		t.Fatalf("the log problem said %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "renewal failed"); n != 3 {
		t.Fatalf("%d of 3 records on stderr:\n%s", n, out)
	}
}

// TestLogNotThroughSymlink: log lines were appended to ~/.bashrc through a
// planted ehealth-tray.log symlink (issue 14 §2).
func TestLogNotThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	bashrc := filepath.Join(dir, ".bashrc")
	if err := os.WriteFile(bashrc, []byte("alias ll='ls -l'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ehealth-tray.log")
	if err := os.Symlink(bashrc, p); err != nil {
		t.Fatal(err)
	}
	assertOnStderr(t, openTo(t, p, false))
	if data, _ := os.ReadFile(bashrc); string(data) != "alias ll='ls -l'\n" {
		t.Fatalf(".bashrc changed: %q", data)
	}
}

// TestFIFOLogNoHang: a FIFO named ehealth-tray.log hung the tray at start.
func TestFIFOLogNoHang(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ehealth-tray.log")
	hostiletest.FIFO(t, p)
	assertOnStderr(t, openTo(t, p, false))
}

// TestForeignFolderLogRefused: a log folder owned by someone else is not
// written to.
func TestForeignFolderLogRefused(t *testing.T) {
	dir := hostiletest.SharedDir(t)
	hostiletest.AsOther(t, "true")
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ehealth-tray.log")
	assertOnStderr(t, openTo(t, p, false))
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a log was created in someone else's folder")
	}
}

// TestReadOnlyFolderLogsToStderr: with a read-only state folder every log
// line and warning vanished, the mirror included: the failing file stopped
// the io.MultiWriter (issue 14 §9). It runs as a normal user, for whom the
// folder's mode counts.
func TestReadOnlyFolderLogsToStderr(t *testing.T) {
	if !hostiletest.InOtherUser(t) {
		return
	}
	dir := t.TempDir()
	hostiletest.ReadOnly(t, dir)
	p := filepath.Join(dir, "ehealth-tray.log")
	assertOnStderr(t, openTo(t, p, false))
	assertOnStderr(t, openTo(t, p, true))
}
