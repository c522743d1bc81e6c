package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"ehealth-tray/errkind"
	"ehealth-tray/safefile/hostiletest"
	"ehealth-tray/statefile"
)

// withoutHome clears what StateDir reads, so that it falls back to the temp
// folder (HOME unset, as under some service managers).
func withoutHome(t *testing.T, tmp string) {
	for _, k := range []string{"EHEALTH_TRAY_STATE_DIR", "XDG_STATE_HOME", "HOME", "XDG_CONFIG_HOME", "AppData", "USERPROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp)
	t.Setenv("TEMP", tmp)
}

// TestStateDirTempFallbackPerUser: without HOME the state went to the shared
// $TMPDIR/ehealth-tray-state, which another user could create first (issue
// 14 §1). The fallback is named after the user.
func TestStateDirTempFallbackPerUser(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the Linux fallback")
	}
	tmp := t.TempDir()
	withoutHome(t, tmp)
	want := filepath.Join(tmp, "ehealth-tray-state-"+strconv.Itoa(os.Getuid()))
	if got := StateDir(); got != want {
		t.Fatalf("StateDir() = %s, want %s", got, want)
	}
}

// TestPrepareStateDirRefusesPlanted: another user made the per-user fallback
// folder first. It is refused with a kind the app can show, and left as is.
func TestPrepareStateDirRefusesPlanted(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Linux fallback")
	}
	shared := hostiletest.SharedDir(t)
	withoutHome(t, shared)
	planted := filepath.Join(shared, "ehealth-tray-state-"+strconv.Itoa(os.Getuid()))
	hostiletest.AsOther(t, "mkdir -m 0777 "+planted)
	dir, err := PrepareStateDir()
	var de *statefile.DirError
	if dir != planted || !errors.As(err, &de) || de.Reason != statefile.ReasonOtherOwner || errkind.Of(err) != "state-folder-refused" {
		t.Fatalf("PrepareStateDir() = %s, %v; want %s refused", dir, err, planted)
	}
	if !strings.Contains(err.Error(), planted) {
		t.Fatalf("the message does not name the folder: %v", err)
	}
	if fi, _ := os.Stat(planted); fi.Mode().Perm() != 0o777 {
		t.Fatalf("someone else's folder was changed to %v", fi.Mode().Perm())
	}
}

func TestPrepareStateDirOwn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	t.Setenv("EHEALTH_TRAY_STATE_DIR", dir)
	got, err := PrepareStateDir()
	if err != nil || got != dir {
		t.Fatalf("PrepareStateDir() = %s, %v", got, err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("not created: %v", err)
	}
}

func TestRuntimeDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_RUNTIME_DIR is Linux's")
	}
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if got := RuntimeDir(); got != "/run/user/1000/ehealth-tray" {
		t.Fatalf("RuntimeDir() = %s", got)
	}
	tmp := t.TempDir()
	withoutHome(t, tmp)
	t.Setenv("XDG_RUNTIME_DIR", "")
	if got, want := RuntimeDir(), StateDir(); got != want {
		t.Fatalf("RuntimeDir() = %s, want the per-user temp folder %s", got, want)
	}
}
