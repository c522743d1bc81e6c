//go:build !darwin && !windows

package autostart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// xdgHome points HOME and the XDG variables at a temp folder, with no system
// autostart folder unless the test writes one.
type xdgHome struct {
	user, sysDir string
}

func newXDGHome(t *testing.T) xdgHome {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_CONFIG_DIRS", filepath.Join(dir, "xdg"))
	return xdgHome{
		user:   filepath.Join(dir, "config", "autostart", desktopName),
		sysDir: filepath.Join(dir, "xdg", "autostart"),
	}
}

func (h xdgHome) writeSystem(t *testing.T, content string) string {
	t.Helper()
	if err := os.MkdirAll(h.sysDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(h.sysDir, desktopName)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func self(t *testing.T, args ...string) Entry {
	t.Helper()
	e, err := Self(args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustStatus(t *testing.T) State {
	t.Helper()
	st, err := Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSelfIsResolvedExecutable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.EvalSymlinks(exe)
	if err != nil {
		t.Fatal(err)
	}
	e := self(t, "--config", "/c.toml")
	if e.Exec != want || !slices.Equal(e.Args, []string{"--config", "/c.toml"}) {
		t.Fatalf("Self = %+v, want Exec %s", e, want)
	}
}

func TestEnableDisableRoundTrip(t *testing.T) {
	h := newXDGHome(t)
	if st := mustStatus(t); st != (State{Path: h.user}) {
		t.Fatalf("before Enable: %+v", st)
	}
	e := self(t, "--config", "/home/a b/config.toml")
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	first := read(t, h.user)
	keys := desktopKeys([]byte(first))
	for k, want := range map[string]string{
		"Type": "Application", "Name": "eHealth tray", "Icon": "ehealth-tray",
		"X-GNOME-Autostart-enabled": "true", "Hidden": "false",
	} {
		if keys[k] != want {
			t.Errorf("%s=%q, want %q\n%s", k, keys[k], want, first)
		}
	}
	if argv := splitExec(keys["Exec"]); !slices.Equal(argv, append([]string{e.Exec}, e.Args...)) {
		t.Errorf("Exec parses back to %q", argv)
	}
	if st := mustStatus(t); st != (State{Enabled: true, Path: h.user, Exec: e.Exec}) {
		t.Fatalf("after Enable: %+v", st)
	}

	// Enabling again leaves one file with the same content, and no temp file.
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	if again := read(t, h.user); again != first {
		t.Fatalf("second Enable changed the file:\n%s\n---\n%s", first, again)
	}
	entries, err := os.ReadDir(filepath.Dir(h.user))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("autostart folder holds %d files", len(entries))
	}

	for range 2 {
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(h.user); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("our file still there after Disable: %v", err)
		}
		if st := mustStatus(t); st != (State{Path: h.user}) {
			t.Fatalf("after Disable: %+v", st)
		}
	}
}

// The Exec key survives every character the spec reserves, parsed back the
// spec's way: string unescaping, then unquoting.
func TestExecQuoting(t *testing.T) {
	cases := [][]string{
		{"/opt/e health/ehealth-tray"},
		{"/opt/ehealth-tray", "--config", "/home/a b/c.toml"},
		{`/srv/a\b/ehealth-tray`, `"quoted"`, "$HOME", "`id`", "100%", "%U", ""},
		{"/tmp/tab\there/é ü/ehealth-tray", "line\nbreak", "a'b", "x;y|z&w", "<>~*?#()"},
	}
	for _, argv := range cases {
		keys := desktopKeys(desktopFile(Entry{Exec: argv[0], Args: argv[1:]}))
		if got := splitExec(keys["Exec"]); !slices.Equal(got, argv) {
			t.Errorf("Exec=%q parses to %q, want %q", keys["Exec"], got, argv)
		}
	}
	// Literal forms from the spec: a quoted path, and four backslashes for one.
	for argv, want := range map[[2]string]string{
		{"/opt/e health/ehealth-tray", "--config"}: `Exec="/opt/e health/ehealth-tray" --config`,
		{`/srv/a\b`, "50%"}:                        `Exec="/srv/a\\\\b" 50%%`,
	} {
		if f := string(desktopFile(Entry{Exec: argv[0], Args: argv[1:]})); !strings.Contains(f, want+"\n") {
			t.Errorf("want line %s in:\n%s", want, f)
		}
	}
}

func TestSplitExecForeignForms(t *testing.T) {
	for in, want := range map[string][]string{
		"ehealth-tray %U":           {"ehealth-tray"},
		`  "/a b/c"   --x  `:        {"/a b/c", "--x"},
		`/bin/sh -c "echo \"hi\""`:  {"/bin/sh", "-c", `echo "hi"`},
		`"/unterminated`:            nil,
		"":                          nil,
		`"/a\\b" "%%" "\n-literal"`: {`/a\b`, "%", `\n-literal`},
	} {
		if got := splitExec(in); !slices.Equal(got, want) {
			t.Errorf("splitExec(%q) = %q, want %q", in, got, want)
		}
	}
}

// desktop-file-validate, from freedesktop.org, checks the file independently,
// quoting of Exec included.
func TestDesktopFileValidates(t *testing.T) {
	validate, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
	}
	p := filepath.Join(t.TempDir(), desktopName)
	e := Entry{Exec: "/opt/e health/$x/ehealth-tray", Args: []string{"--config", `/home/a "b"/c\d.toml`, "100%", "$HOME", "a;b", "`id`", "it's", `x\y`}}
	if err := os.WriteFile(p, desktopFile(e), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(validate, p).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("desktop-file-validate: %v\n%s\n%s", err, out, read(t, p))
	}
}

func TestDisableKeepsForeignFile(t *testing.T) {
	h := newXDGHome(t)
	foreign := "# my own starter\n[Desktop Entry]\nType=Application\nName=eHealth (wrapped)\nName[fr]=eHealth (enveloppé)\nExec=/home/me/bin/start-ehealth.sh --wait\n\n[Desktop Action x]\nHidden=false\n"
	if err := os.MkdirAll(filepath.Dir(h.user), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.user, []byte(foreign), 0o644); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t); !st.Enabled || st.Exec != "/home/me/bin/start-ehealth.sh" || !st.Stale {
		t.Fatalf("foreign file: %+v", st)
	}
	want := strings.Replace(foreign, "[Desktop Entry]\n", "[Desktop Entry]\nHidden=true\n", 1)
	for range 2 {
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
		if got := read(t, h.user); got != want {
			t.Fatalf("after Disable:\n%s\nwant:\n%s", got, want)
		}
	}
	if st := mustStatus(t); st.Enabled || st.Path != h.user {
		t.Fatalf("after Disable: %+v", st)
	}
	// Enable replaces it with ours.
	if err := Enable(self(t)); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t); !st.Enabled || st.Stale {
		t.Fatalf("after Enable: %+v", st)
	}
}

func TestSetHidden(t *testing.T) {
	for in, want := range map[string]string{
		"[Desktop Entry]\nExec=x\nHidden = false\n":  "[Desktop Entry]\nExec=x\nHidden=true\n",
		"[Desktop Entry]\r\nExec=x":                  "[Desktop Entry]\r\nHidden=true\nExec=x\n",
		"Exec=x\n":                                   "[Desktop Entry]\nHidden=true\nExec=x\n",
		"[Other]\nHidden=false\n[Desktop Entry]\n":   "[Other]\nHidden=false\n[Desktop Entry]\nHidden=true\n",
		"[Desktop Entry]\nHidden=true\nX-Hidden=1\n": "[Desktop Entry]\nHidden=true\nX-Hidden=1\n",
	} {
		if got := string(setHidden([]byte(in))); got != want {
			t.Errorf("setHidden(%q) = %q, want %q", in, got, want)
		}
	}
}

// A file edited by hand is reported as it is, not as it was written.
func TestStatusAfterHandEdit(t *testing.T) {
	h := newXDGHome(t)
	e := self(t)
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	ours := read(t, h.user)
	other := filepath.Join(t.TempDir(), "ehealth-tray")
	if err := os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) {
		t.Helper()
		if err := os.WriteFile(h.user, []byte(strings.Replace(ours, old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := "/nowhere/ehealth-tray"
	for _, tc := range []struct {
		old, new string
		want     State
	}{
		{"Exec=" + e.Exec, "Exec=" + missing, State{Enabled: true, Path: h.user, Exec: missing, Stale: true}},
		{"Exec=" + e.Exec, "Exec=" + other, State{Enabled: true, Path: h.user, Exec: other, Stale: true}},
		{"X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false", State{Path: h.user, Exec: e.Exec}},
		{"Hidden=false", "Hidden=true", State{Path: h.user, Exec: e.Exec}},
	} {
		edit(tc.old, tc.new)
		if st := mustStatus(t); st != tc.want {
			t.Errorf("with %s: %+v, want %+v", tc.new, st, tc.want)
		}
	}
	// A stale file of ours (ehealth-tray by name) is still ours: removed.
	edit("Exec="+e.Exec, "Exec="+missing)
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(h.user); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale file of ours kept: %v", err)
	}
}

// The .deb ships a hidden system file; a user file overrides it both ways.
func TestSystemFile(t *testing.T) {
	h := newXDGHome(t)
	e := self(t)
	shipped := "[Desktop Entry]\nType=Application\nName=eHealth tray\nExec=" + e.Exec + "\nHidden=true\n"
	sys := h.writeSystem(t, shipped)
	if st := mustStatus(t); st != (State{Path: sys, Exec: e.Exec}) {
		t.Fatalf("shipped file: %+v", st)
	}
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t); st != (State{Enabled: true, Path: h.user, Exec: e.Exec}) {
		t.Fatalf("after Enable: %+v", st)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t); st.Enabled || st.Path != sys {
		t.Fatalf("after Disable: %+v", st)
	}

	// A system file that starts us: Disable must write a hiding user file,
	// and keep it when run again.
	h.writeSystem(t, strings.Replace(shipped, "Hidden=true", "Hidden=false", 1))
	if st := mustStatus(t); st != (State{Enabled: true, Path: sys, Exec: e.Exec}) {
		t.Fatalf("enabled system file: %+v", st)
	}
	for range 2 {
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
		if st := mustStatus(t); st != (State{Path: h.user, Exec: e.Exec}) {
			t.Fatalf("after Disable: %+v", st)
		}
	}
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if keys := desktopKeys([]byte(read(t, h.user))); keys["Hidden"] != "true" {
		t.Fatalf("our file removed or shown over an enabled system file: %v", keys)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	h := newXDGHome(t)
	var k interface{ Kind() string }
	if err := Enable(Entry{Exec: "ehealth-tray"}); !errors.As(err, &k) || k.Kind() != "autostart" {
		t.Fatalf("relative Exec: %v", err)
	}
	// The autostart folder is a file: nothing can be written there.
	if err := os.MkdirAll(filepath.Dir(filepath.Dir(h.user)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Dir(h.user), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Enable(self(t))
	var ae *Error
	if !errors.As(err, &ae) || ae.Op != "enable" || ae.Path != h.user || !errors.As(err, &k) {
		t.Fatalf("Enable into a file: %v", err)
	}
	if _, err := Status(); !errors.As(err, &k) {
		t.Fatalf("Status under a file: %v", err)
	}
}
