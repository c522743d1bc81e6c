package main

import (
	"bytes"
	"strings"
	"testing"

	"ehealth-tray/i18n"
)

// TestWinTrayStart: the Start menu entry and the Run value (global flags
// only) start the tray; anything else is a command for the .com.
func TestWinTrayStart(t *testing.T) {
	for args, want := range map[string]bool{
		``:                                    true,
		`--config C:\x.toml`:                  true,
		`-config=C:\x.toml --log-level debug`: true,
		`--log-format json --config`:          true, // the missing value is cli's to report
		`check`:                               false,
		`--config C:\x.toml certs`:            false,
		`--help`:                              false,
		`-`:                                   false,
		`--json`:                              false,
	} {
		if got := trayStart(strings.Fields(args)); got != want {
			t.Errorf("trayStart(%q) = %v", args, got)
		}
	}
}

// TestWinUseCompanion: the pointer to the .com repeats the command, quoted
// for cmd, in the practitioner's language.
func TestWinUseCompanion(t *testing.T) {
	var b bytes.Buffer
	useCompanion(&b, i18n.New("nl"), []string{"cert", "inspect", `C:\Users\Hélène\my cert.p12`})
	want := "\nehealth-tray.exe is het programma voor het systeemvak"
	if got := b.String(); !strings.HasPrefix(got, want) ||
		!strings.HasSuffix(got, "\n  ehealth-tray.com cert inspect \"C:\\Users\\Hélène\\my cert.p12\"\n") {
		t.Fatalf("%q", got)
	}
}

// TestWinThisIsTheConsoleBuild: go test links a console program, which
// prepareConsole leaves alone.
func TestWinThisIsTheConsoleBuild(t *testing.T) {
	if guiSubsystem() {
		t.Fatal("a go test binary read as a GUI program")
	}
	if ok, code := prepareConsole([]string{"check"}); !ok || code != 0 {
		t.Fatalf("prepareConsole: %v %d", ok, code)
	}
}
