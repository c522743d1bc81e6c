package autostart

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows/registry"

	"ehealth-tray/wintest"
)

// TestWinGUIProgram: from the console .com, login starts the GUI .exe beside
// it; anything else is left as it is.
func TestWinGUIProgram(t *testing.T) {
	dir := wintest.TempDir(t)
	com := filepath.Join(dir, "ehealth-tray.com")
	exe := filepath.Join(dir, "ehealth-tray.exe")
	if err := os.WriteFile(com, nil, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := guiProgram(com); got != com {
		t.Fatalf("no .exe beside: %q", got)
	}
	if err := os.Mkdir(exe, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := guiProgram(com); got != com {
		t.Fatalf("a folder named .exe: %q", got)
	}
	if err := os.Remove(exe); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, nil, 0o700); err != nil {
		t.Fatal(err)
	}
	upper := filepath.Join(dir, "ehealth-tray.COM")
	for in, want := range map[string]string{com: exe, upper: filepath.Join(dir, "ehealth-tray.exe"), exe: exe} {
		if got := guiProgram(in); got != want {
			t.Errorf("guiProgram(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWinRunValue: the Run value quotes the program and each argument that
// needs it; Status reads it back; Disable removes it.
func TestWinRunValue(t *testing.T) {
	t.Cleanup(func() { _ = Disable() })
	e := Entry{Exec: `C:\Program Files\ehealth-tray\ehealth-tray.exe`, Args: []string{"--config", `C:\Users\Hélène\my config.toml`}}
	if err := Enable(e); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := k.GetStringValue(valueName)
	k.Close()
	want := `"C:\Program Files\ehealth-tray\ehealth-tray.exe" --config "C:\Users\Hélène\my config.toml"`
	if err != nil || got != want {
		t.Fatalf("Run value %q (%v), want %q", got, err, want)
	}
	st, err := Status()
	if err != nil || !st.Enabled || st.Exec != e.Exec || !st.Stale {
		t.Fatalf("status %+v, %v", st, err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if st, err := Status(); err != nil || st.Enabled {
		t.Fatalf("after disable: %+v, %v", st, err)
	}
}
