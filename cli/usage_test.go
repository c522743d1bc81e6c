package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

type jsonError struct {
	Error struct {
		Kind, Message, Details string
	} `json:"error"`
}

// TestUsageErrorsInJSON: with --json, a command line that does not parse
// still answers on stdout, as {"error": {"kind": "usage", "message"}}, and
// exits 2.
func TestUsageErrorsInJSON(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the message
	}{
		{[]string{"certs", "--json", "--bogus"}, "unknown flag --bogus"},
		{[]string{"certs", "--bogus", "--json"}, "unknown flag --bogus"},
		{[]string{"cert", "inspect", "--json"}, "give the keystore FILE"},
		{[]string{"cert", "inspect", "a.p12", "b.p12", "--json"}, "unexpected argument “b.p12”"},
		{[]string{"cert", "--json"}, "give a subcommand"},
		{[]string{"session", "start", "--json"}, "--method must be eid or fallback"},
		{[]string{"session", "stop", "--json"}, "unknown subcommand “stop” of session"},
		{[]string{"autostart", "bogus", "--json"}, `unknown autostart action "bogus"`},
		{[]string{"autostart", "--json"}, "give an action"},
		{[]string{"check", "extra", "--json"}, "unexpected argument “extra”"},
		{[]string{"version", "extra", "--json"}, "unexpected argument “extra”"},
		{[]string{"--log-level", "loud", "certs", "--json"}, "--log-level must be debug, info, warn or error, not “loud”"},
		{[]string{"--log-format", "xml", "certs", "--json"}, "--log-format must be text or json"},
		{[]string{"demo", "--renew-after", "-5s", "--json"}, "--renew-after must not be negative"},
		{[]string{"demo", "--renew-after", "soon", "--json"}, "--renew-after needs a duration"},
		{[]string{"demo", "--renew-after", "--json"}, "--renew-after needs a duration such as 30s or 5m, not “--json”"},
		{[]string{"setup", "--inami", "--json"}, "--quality and --inami are needed when setup does not run in a terminal"},
		{[]string{"frobnicate", "--json"}, `unknown command "frobnicate"`},
	} {
		code, out, errOut := run(t, "", tc.args...)
		var got jsonError
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != 2 || got.Error.Kind != "usage" {
			t.Errorf("%v: exit %d, %q (%v), stderr %q", tc.args, code, out, err, errOut)
			continue
		}
		if !strings.Contains(got.Error.Message, tc.want) {
			t.Errorf("%v: message %q, want %q", tc.args, got.Error.Message, tc.want)
		}
	}
}

// TestUsageErrorsInText: without --json the error is said on stderr, in the
// reader's language, followed by the help; stdout stays empty.
func TestUsageErrorsInText(t *testing.T) {
	t.Setenv("LC_ALL", "fr_BE.UTF-8")
	for args, want := range map[string]string{
		"certs --bogus":                   "option inconnue --bogus",
		"--log-level loud check":          "--log-level doit être debug, info, warn ou error",
		"demo --renew-after -1m":          "--renew-after ne peut pas être négatif",
		"check surplus":                   "argument inattendu « surplus »",
		"session start --method":          "--method demande une valeur",
		"cert inspect":                    "indiquez le FICHIER keystore",
		"session start --method tarot":    "--method doit",
		"autostart enable --json=maybe":   "« maybe » n'est pas une valeur valable pour --json",
		"setup --environment":             "--environment demande une valeur",
		"cert inspect a.p12 --provider x": "option inconnue --provider",
	} {
		code, out, errOut := run(t, "", strings.Fields(args)...)
		if code != 2 || out != "" || !strings.Contains(errOut, want) || !strings.Contains(errOut, "Usage") && !strings.Contains(errOut, "Utilisation") {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s", args, code, out, errOut)
		}
		if strings.Contains(errOut, "flag provided but not defined") || strings.Contains(errOut, "invalid value") {
			t.Errorf("%s: the flag package's English is shown:\n%s", args, errOut)
		}
	}
}

// singleDash finds a flag written with one dash, as the flag package prints
// them.
var singleDash = regexp.MustCompile(`(^|[\s\[(|])-[a-zA-Z]`)

// TestHelpEveryCommand: --help of every command and subcommand says what it
// does in one sentence, lists every flag with "--", and gives an example.
func TestHelpEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"certs", "--help"}, {"cert", "--help"}, {"cert", "inspect", "--help"}, {"check", "--help"},
		{"session", "--help"}, {"session", "start", "--help"}, {"setup", "--help"}, {"demo", "--help"},
		{"autostart", "--help"}, {"version", "--help"}, {"-h"}, {"certs", "-h"},
	} {
		code, out, errOut := run(t, "", args...)
		if code != 0 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
			continue
		}
		lines := strings.Split(errOut, "\n")
		if !strings.HasPrefix(lines[0], "Usage: ehealth-tray") || lines[1] != "" || lines[2] == "" || !strings.HasSuffix(lines[2], ".") {
			t.Errorf("%v: no usage line then one sentence:\n%s", args, errOut)
		}
		if !strings.Contains(errOut, "\nExample:\n  ehealth-tray") {
			t.Errorf("%v: no example:\n%s", args, errOut)
		}
		if !strings.Contains(errOut, "  --config FILE\n") {
			t.Errorf("%v: --config not listed:\n%s", args, errOut)
		}
		for _, l := range lines {
			if singleDash.MatchString(l) {
				t.Errorf("%v: a single-dash flag: %q", args, l)
			}
		}
	}
	_, _, errOut := run(t, "", "setup", "--help")
	for _, f := range []string{"--quality Q", "--inami N", "--niss N", "--name NAME", "--environment E", "--password-stdin", "--json"} {
		if !strings.Contains(errOut, "  "+f+"\n") {
			t.Errorf("setup --help lacks %s:\n%s", f, errOut)
		}
	}
}

// TestHelpNamesTheConfigVariableTheSystemsWay: Windows help says
// %EHEALTH_TRAY_CONFIG%, the others $EHEALTH_TRAY_CONFIG.
func TestHelpNamesTheConfigVariableTheSystemsWay(t *testing.T) {
	if configEnvRef("windows") != "%EHEALTH_TRAY_CONFIG%" || configEnvRef("linux") != "$EHEALTH_TRAY_CONFIG" {
		t.Fatal(configEnvRef("windows"), configEnvRef("linux"))
	}
	_, _, errOut := run(t, "", "--help")
	if !strings.Contains(errOut, configEnvRef(runtime.GOOS)) {
		t.Fatalf("%s", errOut)
	}
}

// TestConfigNotFound: a --config that does not exist is named, exit 2.
func TestConfigNotFound(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	for _, args := range [][]string{
		{"check", "--config", missing, "--json"},
		{"--config", missing, "certs", "--json"},
		{"cert", "inspect", "x.p12", "--config", missing, "--json"},
	} {
		code, out, _ := run(t, "", args...)
		var got jsonError
		_ = json.Unmarshal([]byte(out), &got)
		if code != 2 || got.Error.Kind != "config-not-found" || !strings.Contains(got.Error.Message, missing) {
			t.Errorf("%v: exit %d %s", args, code, out)
		}
	}
	for _, args := range [][]string{
		{"session", "start", "--method", "fallback", "--config", missing},
		{"--config", missing}, // the tray
	} {
		code, _, errOut := run(t, "", args...)
		if code != 2 || !strings.Contains(errOut, missing) {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

type warningOut struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// TestWarningsInJSON: check, certs, cert inspect and session start carry the
// config's problems in "warnings".
func TestWarningsInJSON(t *testing.T) {
	w := newWorld(t)
	cfg, _ := os.ReadFile(w.cfgPath)
	typo := filepath.Join(w.dir, "typo.toml")
	if err := os.WriteFile(typo, append([]byte("langauge = \"nl\"\n"), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}
	want := warningOut{File: typo, Line: 1, Key: "langauge"}
	for _, args := range [][]string{
		{"check", "--password-stdin", "--json"},
		{"certs", "--json"},
		{"cert", "inspect", w.valid, "--password-stdin", "--json"},
		{"session", "start", "--method", "fallback", "--provider", "nobody", "--password-stdin", "--json"},
	} {
		code, out, _ := run(t, "s3cret\n", append(args, "--config", typo)...)
		var got struct {
			Warnings []warningOut `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Warnings) != 1 {
			t.Errorf("%v: exit %d %s (%v)", args, code, out, err)
			continue
		}
		g := got.Warnings[0]
		if g.File != want.File || g.Line != want.Line || g.Key != want.Key || g.Message == "" {
			t.Errorf("%v: %+v", args, g)
		}
	}
	// Without problems the list is empty, and certs stays a plain list.
	code, out, _ := run(t, "s3cret\n", "check", "--password-stdin", "--json", "--config", w.cfgPath)
	if code != 0 || !strings.Contains(out, `"warnings": []`) {
		t.Errorf("exit %d %s", code, out)
	}
	if _, out, _ := run(t, "", "certs", "--json", "--config", w.cfgPath); !strings.HasPrefix(out, "[") {
		t.Errorf("certs: %s", out)
	}
}

// TestNoDialog: no terminal, no display and no --password-stdin is said
// plainly, with its fix, never as pinentry's or the terminal's own words.
func TestNoDialog(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the system dialogs there need no named display")
	}
	w := newWorld(t)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	for _, args := range [][]string{
		{"cert", "inspect", w.valid, "--json"},
		{"session", "start", "--method", "fallback", "--config", w.cfgPath, "--json"},
	} {
		code, out, _ := run(t, "", args...)
		if code != 1 || !strings.Contains(out, `"kind": "no-dialog"`) ||
			!strings.Contains(out, "No password dialog is available: run this in a terminal, or give the password with --password-stdin") {
			t.Errorf("%v: exit %d %s", args, code, out)
		}
	}
	// A configured dialog program that fails is the same kind and message.
	broken := filepath.Join(w.dir, "broken.toml")
	cfg, _ := os.ReadFile(w.cfgPath)
	_ = os.WriteFile(broken, append(cfg, []byte("[prompt]\nprogram = \"false\"\n")...), 0o600)
	code, out, errOut := run(t, "", "cert", "inspect", w.valid, "--config", broken)
	if code != 1 || !strings.Contains(errOut, "No password dialog is available") || out != "" {
		t.Errorf("exit %d %q %s", code, out, errOut)
	}
	if strings.Contains(strings.Split(errOut, "\n")[0], "pinentry") || strings.Contains(errOut, "ioctl") {
		t.Errorf("raw text in the message: %s", errOut)
	}
}

// TestUnknownErrorsKeepDetailsApart: a file that is not there is said in
// the reader's language, without the system's English.
func TestMissingFileTranslated(t *testing.T) {
	w := newWorld(t)
	cfg := withLanguage(t, w, "fr")
	missing := filepath.Join(w.dir, "absent.p12")
	code, out, _ := run(t, "", "cert", "inspect", missing, "--config", cfg, "--json")
	var got jsonError
	_ = json.Unmarshal([]byte(out), &got)
	if code != 1 || got.Error.Kind != "not-found" || got.Error.Message != "Le fichier "+missing+" n'existe pas" {
		t.Fatalf("exit %d %s", code, out)
	}
}

// TestNotAPlainFile: a FIFO or a folder given as the keystore is refused at
// once, in the reader's words.
func TestNotAPlainFile(t *testing.T) {
	w := newWorld(t)
	cfg := withLanguage(t, w, "nl")
	code, out, _ := run(t, "s3cret\n", "cert", "inspect", w.dir, "--config", cfg, "--password-stdin", "--json")
	var got jsonError
	_ = json.Unmarshal([]byte(out), &got)
	if code != 1 || got.Error.Kind != "not-regular-file" || got.Error.Message != w.dir+" is geen gewoon bestand (een map, koppeling, FIFO of apparaat): ehealth-tray leest alleen gewone bestanden" {
		t.Fatalf("exit %d %s", code, out)
	}
}
