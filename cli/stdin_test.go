package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"ehealth-tray/sts/ststest"
)

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// TestPasswordStdinEncodings: a password file written by Windows tools
// (UTF-8 with BOM, UTF-16, CRLF) opens the keystore like a Unix one.
func TestPasswordStdinEncodings(t *testing.T) {
	w := newWorld(t)
	for name, stdin := range map[string]string{
		"lf":        "s3cret\n",
		"crlf":      "s3cret\r\n",
		"utf8 bom":  "\xEF\xBB\xBFs3cret\r\n",
		"utf16le":   utf16LE("s3cret\r\n"),
		"no eol":    "s3cret",
		"two lines": "s3cret\r\n1234\r\n",
	} {
		code, out, _ := run(t, stdin, "cert", "inspect", w.valid, "--password-stdin", "--json")
		if code != 0 || !strings.Contains(out, `"ssin": "`+testSSIN+`"`) {
			t.Errorf("%s: exit %d %s", name, code, out)
		}
	}
}

// TestPasswordEndingWithSpace: the space is kept (it may be part of the
// password), and when the password is wrong the message says it was there.
func TestPasswordEndingWithSpace(t *testing.T) {
	w := newWorld(t)
	code, out, _ := run(t, "s3cret \r\n", "cert", "inspect", w.valid, "--password-stdin", "--json")
	var got jsonError
	_ = json.Unmarshal([]byte(out), &got)
	if code != 1 || got.Error.Kind != "wrong-password" || !strings.Contains(got.Error.Message, "the password read ends with a space") {
		t.Fatalf("exit %d %s", code, out)
	}
	code, _, errOut := run(t, "s3cret \n", "session", "start", "--method", "fallback", "--config", w.cfgPath, "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "Wrong password") || !strings.Contains(errOut, "ends with a space") {
		t.Fatalf("session start: exit %d %s", code, errOut)
	}
	code, out, _ = run(t, "s3cret \n", "check", "--config", w.cfgPath, "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, "ends with a space") {
		t.Fatalf("check: exit %d %s", code, out)
	}
	// A wrong password without a space says nothing about spaces.
	_, out, _ = run(t, "nope\n", "cert", "inspect", w.valid, "--password-stdin", "--json")
	if strings.Contains(out, "space") {
		t.Fatalf("%s", out)
	}
}

// TestPasswordStdinFromDevZero: an endless line is refused at 4 KiB, at
// once, instead of growing memory (it grew to 2.5 GB).
func TestPasswordStdinFromDevZero(t *testing.T) {
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip("no /dev/zero:", err)
	}
	defer zero.Close()
	w := newWorld(t)
	var out, errOut bytes.Buffer
	code := Main([]string{"cert", "inspect", w.valid, "--password-stdin", "--json"}, zero, &out, &errOut)
	var got jsonError
	_ = json.Unmarshal(out.Bytes(), &got)
	if code != 1 || got.Error.Kind != "line-too-long" || !strings.Contains(got.Error.Message, "4 KiB") {
		t.Fatalf("exit %d %s %s", code, out.String(), errOut.String())
	}
}

// TestControlCharactersNeverRaw: an STS message and a config value with
// terminal controls (C1 CSI, a bidi override, ESC) reach neither the
// terminal nor the JSON raw.
func TestControlCharactersNeverRaw(t *testing.T) {
	w := newWorld(t)
	sts, err := ststest.New(ststest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	evil := "refused \u009b2J\u202egnp.exe"
	sts.SetFault(ststest.FaultSOA, "SOA-01001", evil)
	cfg, _ := os.ReadFile(w.cfgPath)
	path := filepath.Join(w.dir, "evil.toml")
	if err := os.WriteFile(path, []byte(string(cfg)+"[sts]\nurl = \""+sts.URL+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := func(s string) bool { return strings.ContainsAny(s, "\x1b\x07\u009b\u202e") }
	for _, asJSON := range []bool{false, true} {
		args := []string{"session", "start", "--method", "fallback", "--config", path, "--password-stdin"}
		if asJSON {
			args = append(args, "--json")
		}
		code, out, errOut := run(t, "s3cret\n", args...)
		if code != 1 || raw(out) || raw(errOut) || !strings.Contains(out+errOut, `\u202egnp.exe`) {
			t.Errorf("json %v: exit %d %q %q", asJSON, code, out, errOut)
		}
		if asJSON {
			var got struct{ Error struct{ Message string } }
			if err := json.Unmarshal([]byte(out), &got); err != nil || !strings.Contains(got.Error.Message, evil) {
				t.Errorf("JSON no longer carries the text: %v %q", err, got.Error.Message)
			}
		}
	}
	// A config file name is text from elsewhere too: its warnings name it.
	named := filepath.Join(w.dir, "evil\u202e\u009blmth.toml")
	if err := os.WriteFile(named, append(cfg, "typo = 1\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := run(t, "s3cret\n", "check", "--config", named, "--password-stdin")
	if raw(out) || raw(errOut) || !strings.Contains(errOut, `evil\u202e\u009blmth.toml`) {
		t.Errorf("check: %q %q", out, errOut)
	}
}
