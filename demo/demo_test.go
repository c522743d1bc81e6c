package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/session"
)

// fixedSecrets answers the demo's password and PIN, as the practitioner
// would type them after reading the dialog's hint.
type fixedSecrets struct{}

func (fixedSecrets) KeystorePassword(context.Context, string) ([]byte, error) {
	return []byte(Password), nil
}
func (fixedSecrets) PIN(context.Context) ([]byte, error) { return []byte(PIN), nil }

// TestDemoWorld checks what `demo` sets up: a 20-day acceptance keystore,
// recorded so its expiry shows at once, a simulator that accepts both the
// fallback procedure and, with SoftHSM2, the demo eID card; and the renewed
// keystore it drops later.
func TestDemoWorld(t *testing.T) {
	t.Setenv(softhsm.EnvVar, "") // the demo sets it for its card; restored after the test
	dir := t.TempDir()
	d, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Config.Environment != "acceptance" {
		t.Fatalf("environment %q", d.Config.Environment)
	}
	recs, err := app.LoadRecords(filepath.Join(dir, "state", "certificates.json"))
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := recs.Get(d.Keystore)
	if !ok || cert.DaysLeft(rec.Identity.NotAfter, time.Now()) != 20 {
		t.Fatalf("record %+v %v", rec, ok)
	}
	methods := []session.Method{session.MethodFallback}
	if _, err := softhsm.ModulePath(); err == nil {
		methods = append(methods, session.MethodEID)
	}
	for _, m := range methods {
		op := &app.Opener{Config: &d.Config, Provider: d.Config.Providers[0], KeystorePath: d.Keystore, Secrets: fixedSecrets{}}
		a, err := op.Open(context.Background(), m)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if a.Attributes["urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11"] != "53886171521" {
			t.Fatalf("%s: attributes %v", m, a.Attributes)
		}
	}
	if rs := d.STS.Requests(); len(rs) != len(methods) || rs[0].Err != nil {
		t.Fatalf("simulator: %+v", rs)
	}
	path, err := d.DropRenewed()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := cert.ParseName(filepath.Base(path))
	if !ok || f.SSIN != NISS || f.Environment != "acceptance" {
		t.Fatalf("renewed keystore name %q", path)
	}
	if _, err := os.Stat(filepath.Join(dir, "incoming", filepath.Base(path))); !os.IsNotExist(err) {
		t.Fatal("the renewed keystore was copied, not renamed into place")
	}
}
