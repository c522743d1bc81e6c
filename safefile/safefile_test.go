package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"ehealth-tray/errkind"
)

func TestReadFileRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a")
	if err := os.WriteFile(p, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(p, 5)
	if err != nil || string(data) != "hello" {
		t.Fatalf("got %q, %v", data, err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none"), 5); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file must wrap fs.ErrNotExist, got %v", err)
	}
}

// TestReadFileCap: /dev/zero as a config grew to 1.3 GB; a sparse file
// claiming gigabytes must be refused without reading it.
func TestReadFileCap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, []byte("123456"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(p, 5)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != p || tl.Max != 5 || errkind.Of(err) != "too-large" {
		t.Fatalf("want *TooLargeError for %s, got %v", p, err)
	}
	sparse := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	_ = f.Close()
	if _, err := ReadFile(sparse, 1<<20); !errors.As(err, &tl) {
		t.Fatalf("a 2 GB sparse file must be too large, got %v", err)
	}
}

// TestRefusesSymlink: a planted link to another file (~/.ssh/id_rsa) is
// never read through.
func TestRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "secret")
	if err := os.WriteFile(target, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create a symlink here: %v", err)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Skipf("symlinks do not work here (Wine): %v", err)
	}
	data, err := ReadFile(link, 100)
	assertNotRegular(t, err, link)
	if data != nil {
		t.Fatalf("read through a symlink: %q", data)
	}
}

func TestRefusesDeviceAndDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev on Windows")
	}
	for _, p := range []string{"/dev/zero", "/dev/null", t.TempDir()} {
		_, err := ReadFile(p, 100)
		assertNotRegular(t, err, p)
	}
}

func assertNotRegular(t *testing.T, err error, path string) {
	t.Helper()
	var nr *NotRegularError
	if !errors.As(err, &nr) || nr.Path != path || errkind.Of(err) != "not-regular-file" {
		t.Fatalf("%s: want *NotRegularError, got %v", path, err)
	}
	if !IsNotRegular(err) {
		t.Fatal("IsNotRegular must see it")
	}
}
