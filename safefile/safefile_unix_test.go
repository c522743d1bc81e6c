//go:build unix

package safefile

import (
	"ehealth-tray/safefile/hostiletest"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestRefusesFIFONoHang: a FIFO named like a keystore or a config hung the
// app forever; it must be refused at once. Without O_NONBLOCK and the type
// checks, the open never returns and the test times out.
func TestRefusesFIFONoHang(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo.p12")
	hostiletest.FIFO(t, p)
	_, err := ReadFile(p, 100)
	assertNotRegular(t, err, p)
	// The post-open check alone, as when the FIFO is swapped in after Lstat.
	f, err := openNoFollow(p, os.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("a non-blocking open of a FIFO must return at once: %v", err)
	}
	_ = f.Close()
}

// TestOpenNoFollowRace: a symlink swapped in after the Lstat check is still
// not followed (O_NOFOLLOW).
func TestOpenNoFollowRace(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	f, err := openNoFollow(link, os.O_RDONLY, 0)
	if err == nil {
		_ = f.Close()
	}
	assertNotRegular(t, err, link)
}

// TestOpenFileNoFollowCreate: an instance.lock symlink created its target,
// and the log appended to ~/.bashrc through one (issue 14 §2).
func TestOpenFileNoFollowCreate(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "created-through-link")
	lock := filepath.Join(dir, "instance.lock")
	if err := os.Symlink(missing, lock); err != nil {
		t.Fatal(err)
	}
	if f, err := OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		_ = f.Close()
		t.Fatal("opened through a dangling symlink")
	} else {
		assertNotRegular(t, err, lock)
	}
	if _, err := os.Lstat(missing); !os.IsNotExist(err) {
		t.Fatal("the symlink's target was created")
	}
	bashrc := filepath.Join(dir, ".bashrc")
	if err := os.WriteFile(bashrc, []byte("alias ll='ls -l'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "ehealth-tray.log")
	if err := os.Symlink(bashrc, log); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	assertNotRegular(t, err, log)
	fifo := filepath.Join(dir, "fifo.log")
	hostiletest.FIFO(t, fifo)
	_, err = OpenFile(fifo, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	assertNotRegular(t, err, fifo)
}

func TestOpenFileCreatesAndNeverTruncates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new.log")
	f, err := OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("kept\n")
	_ = f.Close()
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("created %v, %v", fi, err)
	}
	if _, err := OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0); !errors.Is(err, ErrTruncate) {
		t.Fatalf("O_TRUNC accepted: %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "kept\n" {
		t.Fatalf("content %q", data)
	}
	if _, err := OpenFile(filepath.Join(t.TempDir(), "none"), os.O_RDWR, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file without O_CREATE: %v", err)
	}
}

// TestReadTargetFollowsToRegularFilesOnly: a config or keystore linked into
// place is read through its link, but a link to a FIFO is refused at once,
// as the FIFO itself is.
func TestReadTargetFollowsToRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	file, fifo := filepath.Join(dir, "real.toml"), filepath.Join(dir, "fifo")
	if err := os.WriteFile(file, []byte("x = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hostiletest.FIFO(t, fifo)
	toFile, toFIFO := filepath.Join(dir, "config.toml"), filepath.Join(dir, "other.toml")
	if err := os.Symlink(file, toFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fifo, toFIFO); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadTarget(toFile, 100); err != nil || string(data) != "x = 1\n" {
		t.Fatalf("through a link: %q, %v", data, err)
	}
	if _, err := ReadTarget(toFIFO, 100); !IsNotRegular(err) {
		t.Fatalf("link to a FIFO: %v, want not-regular-file", err)
	}
	if _, err := ReadFile(toFile, 100); err == nil {
		t.Fatal("ReadFile followed a link")
	}
}
