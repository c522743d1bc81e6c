//go:build linux

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/sts/ststest"
	"ehealth-tray/tray/traytest"
)

// Distinctive secrets: if any of them shows up anywhere, it leaked.
const (
	leakPassword = "Pw-7f3a9cQ-leaktest"
	leakPIN      = "P1N-x9q4-leaktest"
)

// forms are the ways a secret could be written down by accident.
func forms(secret string) map[string][]byte {
	u := utf16.Encode([]rune(secret))
	le := make([]byte, 0, 2*len(u))
	for _, r := range u {
		le = append(le, byte(r), byte(r>>8))
	}
	return map[string][]byte{
		"plain":    []byte(secret),
		"base64":   []byte(base64.StdEncoding.EncodeToString([]byte(secret))),
		"hex":      []byte(hex.EncodeToString([]byte(secret))),
		"utf16le":  le,
		"json-esc": []byte(strings.TrimSuffix(strings.TrimPrefix(mustJSON(secret), `"`), `"`)),
	}
}

func mustJSON(s string) string { b, _ := json.Marshal(s); return string(b) }

// scan reports every file under roots that holds a secret in any form.
func scan(t *testing.T, what string, data []byte) {
	t.Helper()
	for _, secret := range []string{leakPassword, leakPIN} {
		for form, needle := range forms(secret) {
			if bytes.Contains(data, needle) {
				t.Errorf("%s holds the secret %q (%s)", what, secret, form)
			}
		}
	}
}

func scanTree(t *testing.T, root string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSocket != 0 {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			n++
			scan(t, p, data)
		}
		return nil
	})
	return n
}

// TestSecretsNeverLeak runs every flow that handles the certificate password
// and the eID PIN, with distinctive values, then searches the log, the state
// dir, the app's temp dir and the running process's argv and environment.
func TestSecretsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	if _, err := softhsm.ModulePath(); err != nil {
		t.Skip("SoftHSM2 not installed (scripts/test.sh installs it):", err)
	}
	secretsDir := t.TempDir() // the fake pinentry's answers: the test's, not the app's
	e := newE2E(t, secretsDir)
	appTmp := filepath.Join(e.dir, "apptmp")
	if err := os.MkdirAll(appTmp, 0o700); err != nil {
		t.Fatal(err)
	}
	pinFile := filepath.Join(secretsDir, "pin")
	_ = os.WriteFile(pinFile, []byte(leakPIN+"\n"), 0o600)
	const ssin = "79021802145"
	now := time.Now()
	fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: e.ca, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), Password: leakPassword})
	if err != nil {
		t.Fatal(err)
	}
	ksPath, err := fx.WriteFile(e.ksDir, now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}

	// The eID card: SoftHSM2 with an EC P-384 Authentication key and the PIN.
	key, crt, err := certtest.NewCard(ssin, "Leak", "Test", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := softhsm.NewToken(t.TempDir(), "BELPIC", leakPIN, "Authentication", key, crt)
	if err != nil {
		t.Fatal(err)
	}

	sts, err := ststest.New(ststest.Options{NIHII: "53886171521"})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	pinentry, _ := filepath.Abs("prompt/testdata/fake-pinentry")
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	cfg := fmt.Sprintf("keystore_dir = %q\n[[provider]]\nname = \"Leak\"\nniss = %q\ninami = \"5/38861/71/521\"\nquality = \"doctor\"\n[sts]\nurl = %q\n[eid]\nmodule = %q\n[prompt]\nprogram = %q\n",
		e.ksDir, ssin, sts.URL, tok.Module, pinentry)
	if err := os.WriteFile(e.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.extraEnv = []string{"TMPDIR=" + appTmp, softhsm.EnvVar + "=" + tok.ConfPath, "FAKE_PINENTRY_PIN_ANSWER=" + pinFile}

	// The tray: fallback, stop, then via eID.
	e.desktop()
	e.setAnswer(leakPassword)
	e.startApp()
	e.click("Fallback procedure")
	e.props("green by fallback", func(p traytest.Props) bool { return p.DominantColor() == "green" })
	e.click("Stop session")
	e.props("red", func(p traytest.Props) bool { return p.DominantColor() == "red" })
	e.click("Via eID")
	e.props("green via eID", func(p traytest.Props) bool {
		return p.DominantColor() == "green" && strings.Contains(p.ToolTipTitle+p.ToolTipText, "via eID")
	})
	// While it runs: its argv and environment.
	pid := e.child.Process.Pid
	for _, f := range []string{"cmdline", "environ"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f))
		if err != nil {
			t.Fatal(err)
		}
		scan(t, "the app's "+f, data)
	}
	// The cached assertion is there (0600) and holds no secret.
	cache := filepath.Join(e.state, "session.json")
	if st, err := os.Stat(cache); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cached assertion: %v %v", st, err)
	}
	var cached struct{ Raw []byte }
	data, _ := os.ReadFile(cache)
	if err := json.Unmarshal(data, &cached); err != nil || !bytes.Contains(cached.Raw, []byte("Assertion")) {
		t.Fatalf("cache: %v", err)
	}
	e.click("Quit")
	if err := <-e.childDone; err != nil {
		t.Fatalf("app exit: %v", err)
	}

	// The command line, with the secrets on stdin.
	for _, args := range [][]string{
		{"--config", e.cfgPath, "--log-level", "debug", "session", "start", "--method", "eid", "--password-stdin", "--json"},
		{"--config", e.cfgPath, "--log-level", "debug", "session", "start", "--method", "fallback", "--password-stdin", "--json"},
		{"--config", e.cfgPath, "check", "--password-stdin", "--json"},
		{"--config", e.cfgPath, "cert", "inspect", ksPath, "--password-stdin", "--json"},
	} {
		a, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), e2eArgsEnv+"="+string(a), "EHEALTH_TRAY_STATE_DIR="+e.state, "TMPDIR="+appTmp, softhsm.EnvVar+"="+tok.ConfPath, "HOME="+e.dir)
		cmd.Stdin = strings.NewReader(leakPassword + "\n" + leakPIN + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		scan(t, fmt.Sprintf("output of %v", args[4:]), out)
	}

	// Where things are written: the log, the state dir, the temp dir.
	logData, err := os.ReadFile(filepath.Join(e.state, "ehealth-tray.log"))
	if err != nil || !bytes.Contains(logData, []byte("fallback procedure (exceptional use)")) {
		t.Fatalf("the log must record the fallback use: %v", err)
	}
	// The assertion body never reaches the log: only its id and validity.
	if i := bytes.Index(cached.Raw, []byte("SignatureValue>")); i > 0 {
		sig := cached.Raw[i+len("SignatureValue>") : i+len("SignatureValue>")+40]
		if bytes.Contains(logData, sig) {
			t.Error("the log holds the assertion's signature value")
		}
	}
	if bytes.Contains(logData, []byte("<saml:Assertion")) || bytes.Contains(logData, []byte("AttributeStatement")) {
		t.Error("the log holds the assertion body")
	}
	e.logMu.Lock()
	scan(t, "the app's stderr", []byte(e.childLog.String()))
	e.logMu.Unlock()
	if n := scanTree(t, e.state) + scanTree(t, appTmp); n < 2 {
		t.Fatalf("only %d files searched: the test looked in the wrong place", n)
	}
}
