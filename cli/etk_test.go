package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/etk/etktest"
)

// etkWorld is a practitioner who renewed: the old keystore (a year old) and
// the renewed one in the folder, a depot simulator, and a config using both.
type etkWorld struct {
	cfgPath, oldPath, renewedPath string
	old, renewed, stray           *certtest.Fixture
	depot                         *etktest.Server
}

func newEtkWorld(t *testing.T) etkWorld {
	t.Helper()
	dir := t.TempDir()
	ksDir := filepath.Join(dir, "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		t.Fatal(err)
	}
	ca, err := certtest.NewCA(false)
	if err != nil {
		t.Fatal(err)
	}
	var w etkWorld
	for _, f := range []**certtest.Fixture{&w.old, &w.renewed, &w.stray} {
		if *f, err = certtest.New(certtest.Options{SSIN: testSSIN, CA: ca, Password: "s3cret"}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if w.oldPath, err = w.old.WriteFile(ksDir, now.AddDate(-1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if w.renewedPath, err = w.renewed.WriteFile(ksDir, now.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if w.depot, err = etktest.New(etktest.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.depot.Close)
	caFile := filepath.Join(dir, "depot-ca.pem")
	if err := os.WriteFile(caFile, w.depot.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	w.cfgPath = filepath.Join(dir, "config.toml")
	cfg := `keystore_dir = "` + ksDir + `"
[[provider]]
name = "Test"
niss = "79.02.18-021.45"
inami = "5/38861/71/521"
quality = "physiotherapist"
selected = true
[[provider]]
name = "Nokeystore"
niss = "75031712390"
inami = "5/38861/71/521"
quality = "physiotherapist"
[sts]
ca_file = "` + caFile + `"
timeout = "10s"
[etk]
url = "` + w.depot.URL + `"
`
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w etkWorld) publish(t *testing.T, f *certtest.Fixture) {
	t.Helper()
	if err := w.depot.Publish(testSSIN, "", f.EncCerts[0], f.AuthCert, f.CA.Cert); err != nil {
		t.Fatal(err)
	}
}

// etkOut decodes etk check --json, and checks that it has exactly the
// fields of the contract.
func etkOut(t *testing.T, out string) etkJSON {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &fields); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"status", "etk", "keystore", "matches"} {
		if _, ok := fields[k]; !ok {
			t.Fatalf("field %s missing: %s", k, out)
		}
	}
	var r etkJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEtkCheckJSON(t *testing.T) {
	w := newEtkWorld(t)
	check := func(wantCode int, wantStatus string, stdin string, extra ...string) etkJSON {
		t.Helper()
		code, out, errOut := run(t, stdin, append([]string{"--config", w.cfgPath, "etk", "check", "--json"}, extra...)...)
		if code != wantCode {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
		}
		r := etkOut(t, out)
		if r.Status != wantStatus || r.Keystore.Path != w.renewedPath {
			t.Fatalf("status %q keystore %q, want %q and the renewed keystore:\n%s", r.Status, r.Keystore.Path, wantStatus, out)
		}
		return r
	}

	r := check(1, "not-found", "")
	if r.ETK != nil || r.Matches != nil {
		t.Fatalf("not-found: etk %v, matches %v; want null and null", r.ETK, r.Matches)
	}
	if len(r.Keystore.EncryptionKeys) != 1 || r.Keystore.EncryptionKeys[0] != w.renewed.EncCerts[0].SerialNumber.String() {
		t.Fatalf("encryption_keys %q", r.Keystore.EncryptionKeys)
	}

	w.publish(t, w.old)
	r = check(1, "not-activated", "")
	if r.Matches == nil || *r.Matches != w.oldPath {
		t.Fatalf("matches %v, want %s", r.Matches, w.oldPath)
	}
	old := w.old.EncCerts[0]
	if r.ETK.Serial != old.SerialNumber.String() || !strings.Contains(r.ETK.Subject, "SSIN="+testSSIN) {
		t.Fatalf("etk %+v: want the old encryption certificate, serial in decimal", r.ETK)
	}
	if nb, err := time.Parse(time.RFC3339, r.ETK.NotBefore); err != nil || !nb.Equal(old.NotBefore) {
		t.Fatalf("not_before %q", r.ETK.NotBefore)
	}
	if na, err := time.Parse(time.RFC3339, r.ETK.NotAfter); err != nil || !na.Equal(old.NotAfter) {
		t.Fatalf("not_after %q", r.ETK.NotAfter)
	}

	w.publish(t, w.stray)
	if r = check(1, "mismatch", ""); r.Matches != nil {
		t.Fatalf("mismatch matches %v", *r.Matches)
	}

	w.publish(t, w.renewed)
	if r = check(0, "ok", ""); r.Matches == nil || *r.Matches != w.renewedPath {
		t.Fatalf("ok matches %v", r.Matches)
	}
	// With the password the public keys are compared too; flags may come
	// before the subcommand's arguments or after.
	check(0, "ok", "s3cret\n", "--password-stdin", "--provider", "Test")
}

func TestEtkCheckErrors(t *testing.T) {
	w := newEtkWorld(t)
	w.publish(t, w.renewed)
	code, out, _ := run(t, "wrong\n", "--config", w.cfgPath, "etk", "check", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "wrong-password"`) {
		t.Fatalf("wrong password: exit %d\n%s", code, out)
	}
	if n := len(w.depot.Requests()); n != 0 {
		t.Fatalf("%d requests to the depot with a wrong password", n)
	}
	for fault, kind := range map[etktest.Fault]string{
		etktest.FaultSOAP:    "etk-unavailable",
		etktest.FaultHTTP500: "etk-unavailable",
		etktest.FaultGarbage: "etk-response",
		etktest.FaultError:   "etk-response",
	} {
		w.depot.SetFault(fault, "", "")
		code, out, _ := run(t, "", "--config", w.cfgPath, "etk", "check", "--json")
		var e struct{ Error errorJSON }
		if err := json.Unmarshal([]byte(out), &e); err != nil || code != 1 || e.Error.Kind != kind || e.Error.Message == "" {
			t.Errorf("%s: exit %d, %+v (%v), want kind %s", fault, code, e.Error, err, kind)
		}
	}
	w.depot.SetFault(etktest.FaultNone, "", "")
	for provider, kind := range map[string]string{"Nobody": "no-provider", "Nokeystore": "certificate-not-found"} {
		code, out, _ = run(t, "", "--config", w.cfgPath, "etk", "check", "--provider", provider, "--json")
		if code != 1 || !strings.Contains(out, `"kind": "`+kind+`"`) {
			t.Errorf("provider %s: exit %d\n%s", provider, code, out)
		}
	}
}

func TestEtkCheckText(t *testing.T) {
	w := newEtkWorld(t)
	w.publish(t, w.old)
	code, out, _ := run(t, "", "--config", w.cfgPath, "etk", "check")
	if code != 1 || !strings.Contains(out, "not activated") || !strings.Contains(out, w.oldPath) ||
		!strings.Contains(out, w.old.EncCerts[0].SerialNumber.String()) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	w.depot.SetFault(etktest.FaultSOAP, "", "")
	code, _, errOut := run(t, "", "--config", w.cfgPath, "etk", "check")
	if code != 1 || !strings.Contains(errOut, "ETK depot is unavailable") {
		t.Fatalf("depot down: exit %d:\n%s", code, errOut)
	}
}

func TestEtkUsage(t *testing.T) {
	code, _, errOut := run(t, "", "etk", "check", "--help")
	if code != 0 || !strings.Contains(errOut, "--password-stdin") || !strings.Contains(errOut, "ehealth-tray etk check --json") {
		t.Fatalf("--help: exit %d\n%s", code, errOut)
	}
	if code, _, _ := run(t, "", "etk"); code != 2 {
		t.Fatalf("etk without a subcommand: exit %d, want 2", code)
	}
	code, out, _ := run(t, "", "etk", "verify", "--json")
	if code != 2 || !strings.Contains(out, `"kind": "usage"`) {
		t.Fatalf("unknown subcommand: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "", "etk", "check", "extra"); code != 2 {
		t.Fatalf("extra argument: exit %d, want 2", code)
	}
}
