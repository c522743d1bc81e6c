package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/sts/ststest"
)

// run calls Main in-process, like a shell would call the binary.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	if strings.Contains(errOut.String(), "goroutine ") || strings.Contains(errOut.String(), "panic") {
		t.Fatalf("stack trace on stderr:\n%s", errOut.String())
	}
	return code, out.String(), errOut.String()
}

const testSSIN = "79021802145"

// world is a keystore folder with one valid and one expired keystore, and a
// config naming the provider.
type world struct {
	dir, ksDir, cfgPath, valid, expired, other string
}

func newWorld(t *testing.T) world {
	t.Helper()
	w := world{dir: t.TempDir()}
	w.ksDir = filepath.Join(w.dir, "keystore")
	if err := os.MkdirAll(w.ksDir, 0o700); err != nil {
		t.Fatal(err)
	}
	ca, err := certtest.NewCA(false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mk := func(ssin string, notAfter, created time.Time) string {
		fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: ca, NotBefore: now.AddDate(-3, 0, 0), NotAfter: notAfter, Password: "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := fx.WriteFile(w.ksDir, created)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	w.expired = mk(testSSIN, now.AddDate(0, 0, -5), now.AddDate(-3, 0, 0))
	w.valid = mk(testSSIN, now.AddDate(0, 0, 200), now.AddDate(0, 0, -1))
	w.other = mk("75031712390", now.AddDate(1, 0, 0), now.AddDate(0, 0, -1))
	w.cfgPath = filepath.Join(w.dir, "config.toml")
	cfg := `keystore_dir = "` + w.ksDir + `"
[[provider]]
name = "Test"
niss = "79.02.18-021.45"
inami = "5/38861/71/521"
quality = "physiotherapist"
`
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCertsJSON(t *testing.T) {
	w := newWorld(t)
	code, out, _ := run(t, "", "certs", "--dir", w.ksDir, "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var files []map[string]any
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(files) != 3 {
		t.Fatalf("%d files: %s", len(files), out)
	}
	newest := 0
	for _, f := range files {
		for _, k := range []string{"path", "ssin", "environment", "created", "newest"} {
			if _, ok := f[k]; !ok {
				t.Fatalf("field %s missing: %v", k, f)
			}
		}
		if _, err := time.Parse(time.RFC3339, f["created"].(string)); err != nil {
			t.Fatalf("created not RFC 3339: %v", f["created"])
		}
		if f["ssin"] == testSSIN && f["newest"] == true {
			newest++
			if f["path"] != w.valid {
				t.Fatalf("newest is %v, want %s", f["path"], w.valid)
			}
		}
	}
	if newest != 1 {
		t.Fatalf("newest count %d", newest)
	}
	// The global --config flag before the command sets the folder.
	code, out, _ = run(t, "", "--config", w.cfgPath, "certs", "--json")
	if code != 0 || !strings.Contains(out, w.valid) {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestCertInspect(t *testing.T) {
	w := newWorld(t)
	code, out, _ := run(t, "s3cret\n", "cert", "inspect", w.valid, "--password-stdin", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got["ssin"] != testSSIN || got["status"] != "valid" || got["environment"] != "production" ||
		got["authentication_key"] != true || got["encryption_keys"] != float64(1) || got["days_left"].(float64) < 198 {
		t.Fatalf("%s", out)
	}
	for _, k := range []string{"path", "holder", "subject", "issuer", "not_before", "not_after"} {
		if got[k] == "" || got[k] == nil {
			t.Fatalf("%s empty: %s", k, out)
		}
	}
	// Flags before the file work too; expired certificates say so.
	code, out, _ = run(t, "s3cret\n", "cert", "inspect", "--json", "--password-stdin", w.expired)
	if code != 0 || !strings.Contains(out, `"status": "expired"`) {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestCertInspectErrors(t *testing.T) {
	w := newWorld(t)
	garbage := filepath.Join(w.dir, "SSIN=79021802145 20260101-120000.p12")
	buf := make([]byte, 3000)
	_, _ = rand.Read(buf)
	if err := os.WriteFile(garbage, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(w.valid)
	truncated := filepath.Join(w.dir, "truncated.p12")
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, password, kind string
	}{
		{w.valid, "wrong", "wrong-password"},
		{garbage, "s3cret", "not-a-keystore"},
		{truncated, "s3cret", "not-a-keystore"},
	} {
		before, _ := os.ReadFile(tc.file)
		code, out, _ := run(t, tc.password+"\n", "cert", "inspect", tc.file, "--password-stdin", "--json")
		if code != 1 {
			t.Fatalf("%s: exit %d", tc.kind, code)
		}
		var got struct {
			Error struct{ Kind, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Error.Kind != tc.kind || got.Error.Message == "" {
			t.Fatalf("want kind %s, got %s (%v)", tc.kind, out, err)
		}
		after, _ := os.ReadFile(tc.file)
		if !bytes.Equal(before, after) {
			t.Fatalf("%s was modified", tc.file)
		}
	}
}

func TestCheck(t *testing.T) {
	w := newWorld(t)
	code, out, _ := run(t, "s3cret\n", "check", "--config", w.cfgPath, "--password-stdin", "--json")
	var res checkOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if code != 0 || !res.OK || len(res.Checks) != 9 {
		t.Fatalf("exit %d: %s", code, out)
	}
	// Wrong password: exit 1, the password check fails with its fix.
	code, out, _ = run(t, "nope\n", "check", "--config", w.cfgPath, "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, "Wrong password") {
		t.Fatalf("exit %d: %s", code, out)
	}
	// An expired keystore chosen explicitly: certificate.valid fails.
	cfg, _ := os.ReadFile(w.cfgPath)
	expiredCfg := filepath.Join(w.dir, "expired.toml")
	_ = os.WriteFile(expiredCfg, []byte(string(cfg)+"keystore = \""+w.expired+"\"\n"), 0o600)
	code, out, _ = run(t, "s3cret\n", "check", "--password-stdin", "--json", "--config", expiredCfg)
	if code != 1 || !strings.Contains(out, "Certificate expired on") || !strings.Contains(out, "request a new one") {
		t.Fatalf("exit %d: %s", code, out)
	}
	// Another person's keystore: identity fails with both SSINs.
	otherCfg := filepath.Join(w.dir, "other.toml")
	_ = os.WriteFile(otherCfg, []byte(string(cfg)+"keystore = \""+w.other+"\"\n"), 0o600)
	code, out, _ = run(t, "s3cret\n", "check", "--password-stdin", "--json", "--config", otherCfg)
	if code != 1 || !strings.Contains(out, "75031712390") || !strings.Contains(out, testSSIN) {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestCheckWithoutProvider(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.toml")
	_ = os.WriteFile(cfg, []byte("langauge = \"nl\"\n"), 0o600)
	code, out, errOut := run(t, "", "check", "--config", cfg, "--json")
	if code != 1 || !strings.Contains(out, `"id": "provider.selected"`) {
		t.Fatalf("exit %d: %s", code, out)
	}
	if !strings.Contains(errOut, "c.toml:1: langauge: unknown key") {
		t.Fatalf("typo not reported with file:line:key: %q", errOut)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := run(t, "", "nonsense"); code != 2 {
		t.Fatal(code)
	}
	if code, _, _ := run(t, "", "certs", "--bogus"); code != 2 {
		t.Fatal(code)
	}
	if code, _, _ := run(t, "", "session", "start", "--method", "telepathy"); code != 2 {
		t.Fatal(code)
	}
	for _, cmd := range [][]string{{"certs", "--help"}, {"cert", "inspect", "--help"}, {"check", "--help"}, {"session", "start", "--help"}, {"version", "--help"}, {"demo", "--help"}} {
		if code, _, errOut := run(t, "", cmd...); code != 0 || !strings.Contains(errOut, "Usage") {
			t.Fatalf("%v: exit %d, %q", cmd, code, errOut)
		}
	}
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "ehealth-tray ") {
		t.Fatal(out)
	}
}

func TestSessionStartFallbackAgainstSimulator(t *testing.T) {
	w := newWorld(t)
	sts, err := ststest.New(ststest.Options{TLS: true, NIHII: "53886171521", Validity: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	caFile := filepath.Join(w.dir, "sts-ca.pem")
	_ = os.WriteFile(caFile, sts.CACertPEM(), 0o600)
	cfg, _ := os.ReadFile(w.cfgPath)
	sessCfg := filepath.Join(w.dir, "session.toml")
	_ = os.WriteFile(sessCfg, []byte(string(cfg)+"[sts]\nurl = \""+sts.URL+"\"\nca_file = \""+caFile+"\"\n"), 0o600)

	code, out, errOut := run(t, "s3cret\n", "session", "start", "--config", sessCfg, "--method", "fallback", "--password-stdin", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var got struct {
		State, Method, SSIN string
		AssertionID         string `json:"assertion_id"`
		NotBefore           string `json:"not_before"`
		NotOnOrAfter        string `json:"not_on_or_after"`
		Attributes          map[string]string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	end, err := time.Parse(time.RFC3339, got.NotOnOrAfter)
	if got.State != "active" || got.Method != "fallback" || got.SSIN != testSSIN || got.AssertionID == "" || err != nil ||
		time.Until(end) > 2*time.Hour+time.Minute || time.Until(end) < 2*time.Hour-time.Minute {
		t.Fatalf("%s", out)
	}
	if got.Attributes["urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11"] != "53886171521" {
		t.Fatalf("attributes: %v", got.Attributes)
	}
	if rs := sts.Requests(); len(rs) != 1 || rs[0].Err != nil {
		t.Fatalf("simulator: %+v", rs)
	}

	// Every fault maps to its kind.
	for _, tc := range []struct {
		fault      ststest.Fault
		code, kind string
	}{
		{ststest.FaultSOA, "SOA-01001", "sts-fault"},
		{ststest.FaultStatus, "", "sts-status"},
		{ststest.FaultHTTP503, "", "sts-unavailable"},
		{ststest.FaultMalformed, "", "sts-response"},
	} {
		sts.SetFault(tc.fault, tc.code, "")
		code, out, _ := run(t, "s3cret\n", "session", "start", "--config", sessCfg, "--method", "fallback", "--password-stdin", "--json")
		var f struct {
			State string
			Error struct{ Kind, Code, Message string }
		}
		_ = json.Unmarshal([]byte(out), &f)
		if code != 1 || f.State != "failed" || f.Error.Kind != tc.kind || f.Error.Message == "" || (tc.code != "" && f.Error.Code != tc.code) {
			t.Fatalf("%s: exit %d %s", tc.fault, code, out)
		}
	}
	sts.SetFault(ststest.FaultNone, "", "")
	code, out, _ = run(t, "wrong\n", "session", "start", "--config", sessCfg, "--method", "fallback", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "wrong-password"`) {
		t.Fatalf("exit %d %s", code, out)
	}
}

// TestSessionStartEIDWithSoftHSM opens a session with a SoftHSM2 token as
// the eID card (EC P-384, like cards since 2021): the card signs the header,
// the keystore the inner request.
func TestSessionStartEIDWithSoftHSM(t *testing.T) {
	if _, err := softhsm.ModulePath(); err != nil {
		t.Skip("SoftHSM2 not installed (scripts/test.sh installs it):", err)
	}
	w := newWorld(t)
	sts, err := ststest.New(ststest.Options{NIHII: "53886171521", ExternalVerifier: ststest.XMLSecVerifier(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	eidCfg := w.withCard(t, testSSIN, sts.URL)

	code, out, errOut := run(t, "s3cret\n1234\n", "session", "start", "--config", eidCfg, "--method", "eid", "--password-stdin", "--json")
	if code != 0 || !strings.Contains(out, `"method": "eid"`) {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if rs := sts.Requests(); len(rs) != 1 || rs[0].Err != nil {
		t.Fatalf("simulator or xmlsec1 rejected the request: %+v", rs)
	}
	// A wrong PIN is reported once, never retried.
	code, out, _ = run(t, "s3cret\n0000\n", "session", "start", "--config", eidCfg, "--method", "eid", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "pin-incorrect"`) || !strings.Contains(out, "2 tries left before your eID card is blocked") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if n := len(sts.Requests()); n != 1 {
		t.Fatalf("a request was sent after a wrong PIN: %d", n)
	}
}

// TestSessionStartEIDRefusesAnotherPersonsCard: a patient's eID left in the
// reader is refused before the PIN is asked, so the practitioner's PIN never
// counts against it.
func TestSessionStartEIDRefusesAnotherPersonsCard(t *testing.T) {
	if _, err := softhsm.ModulePath(); err != nil {
		t.Skip("SoftHSM2 not installed (scripts/test.sh installs it):", err)
	}
	w := newWorld(t)
	sts, err := ststest.New(ststest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	eidCfg := w.withCard(t, "75031712390", sts.URL) // a patient's card
	// No PIN line on stdin: asking for it would fail the command another way.
	code, out, _ := run(t, "s3cret\n", "session", "start", "--config", eidCfg, "--method", "eid", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "identity-mismatch"`) || !strings.Contains(out, "75031712390") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if len(sts.Requests()) != 0 {
		t.Fatal("a request was sent with another person's card")
	}
}

// withCard makes a SoftHSM2 "eID card" (EC P-384 Authentication key, PIN
// 1234) whose certificate carries the national number holder, and returns a
// config that uses it and the STS at stsURL.
func (w world) withCard(t *testing.T, holder, stsURL string) string {
	t.Helper()
	key, crt, err := certtest.NewCard(holder, "Card", "Holder", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := softhsm.NewToken(t.TempDir(), "BELPIC", "1234", "Authentication", key, crt)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(softhsm.EnvVar, tok.ConfPath)
	cfg, _ := os.ReadFile(w.cfgPath)
	path := filepath.Join(w.dir, "eid.toml")
	if err := os.WriteFile(path, []byte(string(cfg)+"[sts]\nurl = \""+stsURL+"\"\n[eid]\nmodule = \""+tok.Module+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
