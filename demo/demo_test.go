package demo

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/etk"
	"ehealth-tray/internal/clock/clocktest"
	"ehealth-tray/logging/logtest"
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

// checkETK runs the tray's ETK check for the keystore at path, without the
// password first, then with it (the public keys compared too); both must
// give the same status, which it returns.
func checkETK(t *testing.T, d *World, path string) etk.Status {
	t.Helper()
	client, err := etk.NewClient(etk.Options{URL: d.Config.ETKURL(), CAFile: d.Config.STS.CAFile, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	files, err := cert.Discover(d.Config.KeystoreDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []etk.Status
	for _, pw := range [][]byte{nil, []byte(Password)} {
		r, err := (&etk.Checker{Client: client}).Check(context.Background(), etk.Input{SSIN: NISS, KeystorePath: path, Files: files, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Status)
	}
	if got[0] != got[1] {
		t.Fatalf("without the password %s, with it %s", got[0], got[1])
	}
	return got[0]
}

// openSession opens a fallback session with the keystore at path, as the
// tray does after "Use the new certificate…".
func openSession(t *testing.T, d *World, path string) {
	t.Helper()
	op := &app.Opener{Config: &d.Config, Provider: d.Config.Providers[0], KeystorePath: path, Secrets: fixedSecrets{}}
	if _, err := op.Open(context.Background(), session.MethodFallback); err != nil {
		t.Fatal(err)
	}
}

// TestDemoServesBothOnOneListener: the STS and the EtkDepot share one TLS
// listener, whose certificate is the one CA file of the config, and nothing
// else is trusted by it.
func TestDemoServesBothOnOneListener(t *testing.T) {
	t.Setenv(softhsm.EnvVar, "")
	d, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sts, err := url.Parse(d.Config.STS.URL)
	if err != nil {
		t.Fatal(err)
	}
	depot, err := url.Parse(d.Config.ETKURL())
	if err != nil {
		t.Fatal(err)
	}
	if sts.Scheme != "https" || sts.Host != depot.Host || sts.Path == depot.Path {
		t.Fatalf("STS %s, depot %s: want two paths on one https listener", sts, depot)
	}
	if d.Config.ETKURL() != d.ETKURL || d.Config.STS.URL != d.STSURL {
		t.Fatalf("config %s %s, world %s %s", d.Config.STS.URL, d.Config.ETKURL(), d.STSURL, d.ETKURL)
	}
	pemData, err := os.ReadFile(d.Config.STS.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(pemData, []byte("BEGIN CERTIFICATE")) != 1 {
		t.Fatalf("CA file holds %d certificates", bytes.Count(pemData, []byte("BEGIN CERTIFICATE")))
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemData)
	conn, err := tls.Dial("tcp", sts.Host, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("the CA file does not authenticate the listener: %v", err)
	}
	_ = conn.Close()
	if d.Config.Session.CheckInterval.Duration != CheckInterval {
		t.Fatalf("check interval %v", d.Config.Session.CheckInterval)
	}
}

// TestDemoETKStory: the depot publishes the demo keystore's ETK (ok); the
// renewed keystore's check says not-activated until ETKDelay after a session
// opened with it, then ok. A session with the old keystore starts nothing.
func TestDemoETKStory(t *testing.T) {
	t.Setenv(softhsm.EnvVar, "")
	clock := clocktest.New(time.Now())
	d, err := newWorld(t.TempDir(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if s := checkETK(t, d, d.Keystore); s != etk.StatusOK {
		t.Fatalf("demo keystore at start: %s", s)
	}
	renewed, err := d.DropRenewed()
	if err != nil {
		t.Fatal(err)
	}
	if s := checkETK(t, d, renewed); s != etk.StatusNotActivated {
		t.Fatalf("renewed keystore, just switched to: %s", s)
	}
	openSession(t, d, d.Keystore) // the old keystore: not the renewed one's use
	clock.Advance(2 * ETKDelay)
	if s := checkETK(t, d, renewed); s != etk.StatusNotActivated {
		t.Fatalf("renewed keystore, never used: %s", s)
	}
	select {
	case <-d.used:
		t.Fatal("a session with the old keystore counted as the renewed one's use")
	default:
	}

	openSession(t, d, renewed)
	receive(t, d.used)
	clock.Advance(ETKDelay - time.Second)
	if s := checkETK(t, d, renewed); s != etk.StatusNotActivated {
		t.Fatalf("renewed keystore, %v after its first session: %s", ETKDelay-time.Second, s)
	}
	openSession(t, d, renewed) // a second session does not push the date back
	clock.Advance(time.Second)
	if s := checkETK(t, d, renewed); s != etk.StatusOK {
		t.Fatalf("renewed keystore, %v after its first session: %s", ETKDelay, s)
	}
	if s := checkETK(t, d, d.Keystore); s != etk.StatusMismatch {
		t.Fatalf("old keystore once the renewed ETK is published: %s", s)
	}
}

// TestDemoRunTellsTheStory: Run drops the renewed keystore and says so, says
// when a session is opened with it, and returns when the demo ends.
func TestDemoRunTellsTheStory(t *testing.T) {
	t.Setenv(softhsm.EnvVar, "")
	d, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	logs := logtest.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, logs.Logger(), 0)
	}()
	logs.Wait(t, logRenewedWritten)
	if first := logs.Messages()[0]; first != logRenewedWritten {
		t.Fatalf("first line %q", first)
	}
	files, err := cert.Discover(d.Config.KeystoreDir)
	if err != nil || len(files) != 2 {
		t.Fatalf("keystores %v %v", files, err)
	}
	renewed := files[0].Path
	if renewed == d.Keystore {
		renewed = files[1].Path
	}
	openSession(t, d, renewed)
	logs.Wait(t, logRenewedUsed)
	if second := logs.Messages()[1]; second != logRenewedUsed {
		t.Fatalf("second line %q", second)
	}
	cancel()
	receive(t, done)
}

// receive waits for a value from ch; a story step that never comes fails
// the test instead of hanging it.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("timed out")
		var zero T
		return zero
	}
}
