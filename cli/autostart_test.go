// On Windows these tests would write the real HKCU Run key.
//go:build !windows

package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// autostartHome points every place autostart writes to (XDG and macOS) into a
// temp folder, and returns it.
func autostartHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_CONFIG_DIRS", filepath.Join(dir, "xdg"))
	return dir
}

func autostartStatus(t *testing.T, args ...string) autostartJSON {
	t.Helper()
	code, out, errOut := run(t, "", args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
	}
	var st autostartJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return st
}

func TestAutostartCLI(t *testing.T) {
	dir := autostartHome(t)
	t.Chdir(dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		t.Fatal(err)
	}

	st := autostartStatus(t, "autostart", "status", "--json")
	if st.Enabled || st.Exec != "" || st.Stale || !strings.HasPrefix(st.Path, dir) {
		t.Fatalf("before enable: %+v", st)
	}
	if code, out, _ := run(t, "", "autostart", "status"); code != 0 || out != "disabled\n" {
		t.Fatalf("status: exit %d, %q", code, out)
	}

	// A relative --config is recorded absolute: the session starts elsewhere.
	st = autostartStatus(t, "--config", "my conf/c.toml", "autostart", "enable", "--json")
	if !st.Enabled || st.Exec != exe || st.Stale || !strings.HasPrefix(st.Path, dir) {
		t.Fatalf("after enable: %+v (exe %s)", st, exe)
	}
	data, err := os.ReadFile(st.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), filepath.Join(dir, "my conf", "c.toml")) {
		t.Fatalf("--config not passed on:\n%s", data)
	}
	if code, out, _ := run(t, "", "autostart", "status"); code != 0 || out != "enabled ("+st.Path+")\n" {
		t.Fatalf("status: exit %d, %q", code, out)
	}

	// Moved by hand to a program that is gone: reported stale, with advice.
	if err := os.WriteFile(st.Path, []byte(strings.ReplaceAll(string(data), exe, "/nowhere/ehealth-tray")), 0o644); err != nil {
		t.Fatal(err)
	}
	if moved := autostartStatus(t, "autostart", "status", "--json"); !moved.Enabled || !moved.Stale || moved.Exec != "/nowhere/ehealth-tray" {
		t.Fatalf("hand-edited: %+v", moved)
	}
	if code, _, errOut := run(t, "", "autostart", "status"); code != 0 || !strings.Contains(errOut, "autostart enable") {
		t.Fatalf("stale status: exit %d, stderr %q", code, errOut)
	}

	for range 2 {
		if off := autostartStatus(t, "autostart", "disable", "--json"); off.Enabled {
			t.Fatalf("after disable: %+v", off)
		}
		if _, err := os.Stat(st.Path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("file still there: %v", err)
		}
	}
}

func TestAutostartCLIFailure(t *testing.T) {
	dir := autostartHome(t)
	// Where the autostart folder should be (XDG and macOS), a file.
	for _, p := range []string{filepath.Join(dir, "config", "autostart"), filepath.Join(dir, "home", "Library", "LaunchAgents")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := run(t, "", "autostart", "enable", "--json")
	var got map[string]errorJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || got["error"].Kind != "autostart" {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if code, _, errOut := run(t, "", "autostart", "enable"); code != 1 || !strings.HasPrefix(errOut, "ehealth-tray: autostart enable ") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestAutostartUsage(t *testing.T) {
	autostartHome(t)
	for _, args := range [][]string{{}, {"frobnicate"}, {"enable", "disable"}, {"status", "--bogus"}} {
		if code, out, errOut := run(t, "", append([]string{"autostart"}, args...)...); code != 2 || out != "" || !strings.Contains(errOut, "Usage") {
			t.Errorf("autostart %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, "", "autostart", "--help"); code != 0 || !strings.Contains(errOut, "enable|disable|status") {
		t.Fatalf("--help: exit %d, %q", code, errOut)
	}
}
