// Package hostiletest plays the other local user of the hostile-machine
// tests: it runs shell commands as "nobody" (with setpriv, which needs root)
// in a world-writable sticky folder like /tmp.
package hostiletest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns a new world-writable sticky folder (like /tmp) that the
// other user can reach, removed at the end of the test.
func SharedDir(t testing.TB) string {
	t.Helper()
	// Not $TMPDIR, which may be private to the test's user.
	base := os.TempDir()
	if runtime.GOOS != "windows" {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "hostile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	return dir
}

// AsOther runs script with sh as the user nobody. It skips the test when not
// root or when setpriv is missing (Debian package util-linux).
func AsOther(t testing.TB, script string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("playing another user needs root (setpriv)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv not installed (util-linux)")
	}
	cmd := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("as nobody: %s: %v\n%s", script, err, out)
	}
}

// envChild marks the copy of the test binary that AsOtherTest starts.
const envChild = "HOSTILETEST_CHILD"

// IsChild reports that this test binary runs as the other user, started by
// AsOtherTest for the test named name.
func IsChild(name string) bool { return os.Getenv(envChild) == name }

// InOtherUser makes the calling test play its part as the other user. Run
// as the test's own user, it runs the test again as nobody (see AsOtherTest)
// and returns false: the caller returns. Run as nobody, it returns true.
func InOtherUser(t *testing.T) bool {
	t.Helper()
	if IsChild(t.Name()) {
		return true
	}
	AsOtherTest(t, t.Name())
	return false
}

// ReadOnly makes dir read-only (0500) until the end of the test. For a
// normal user, writes in it then fail; root writes anywhere.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
}

// AsOtherTest runs the test named name again, in a copy of this test binary,
// as the user nobody, with env added; the test checks IsChild(name) to play
// its part. It fails when the child fails, and skips like AsOther.
func AsOtherTest(t testing.TB, name string, env ...string) {
	t.Helper()
	AsOther(t, "true") // skips when the other user cannot be played
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// The go build folder is private to root: nobody runs a copy, with a
	// temp folder it can write to.
	shared := SharedDir(t)
	bin := filepath.Join(shared, "child.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envChild+"="+name, "TMPDIR="+shared), env...)
	cmd.Dir = filepath.Dir(bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s as nobody: %v\n%s", name, err, out)
	}
}
