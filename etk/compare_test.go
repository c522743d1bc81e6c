package etk

import (
	"context"
	"crypto"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/etk/etktest"
	"ehealth-tray/internal/clock/clocktest"
)

func TestCompare(t *testing.T) {
	w := fixtures(t)
	oldCert, newCert, otherCert := w.old.EncCerts[0], w.renewed.EncCerts[0], w.other.EncCerts[0]
	now := time.Now()
	old := Keystore{Path: "old.p12", Created: now.AddDate(-1, 0, 0), Aliases: []string{oldCert.SerialNumber.String()}}
	renewed := Keystore{Path: "new.p12", Created: now, Aliases: []string{newCert.SerialNumber.String()}}
	newer := Keystore{Path: "newer.p12", Created: now.AddDate(0, 0, 1), Aliases: []string{otherCert.SerialNumber.String()}}
	withKeys := func(k Keystore, pub crypto.PublicKey) Keystore {
		k.Keys = map[string]crypto.PublicKey{}
		if pub != nil {
			k.Keys[k.Aliases[0]] = pub
		}
		return k
	}
	unnamed := renewed
	unnamed.Created = time.Time{}
	carrying := renewed // a renewed file that kept the old key, as eHealth advises
	carrying.Aliases = []string{newCert.SerialNumber.String(), oldCert.SerialNumber.String()}
	tok := func(c ...Token) []Token { return c }
	tests := []struct {
		name    string
		tokens  []Token
		inUse   Keystore
		others  []Keystore
		want    Status
		matches string
	}{
		{"nothing published", nil, renewed, []Keystore{old}, StatusNotFound, ""},
		{"the keystore in use", tok(Token{Cert: newCert}), renewed, []Keystore{old}, StatusOK, "new.p12"},
		{"an older keystore", tok(Token{Cert: oldCert}), renewed, []Keystore{old}, StatusNotActivated, "old.p12"},
		{"no keystore", tok(Token{Cert: otherCert}), renewed, []Keystore{old}, StatusMismatch, ""},
		{"only a newer keystore", tok(Token{Cert: otherCert}), renewed, []Keystore{old, newer}, StatusMismatch, "newer.p12"},
		{"the renewed file carries the old key", tok(Token{Cert: oldCert}), carrying, []Keystore{old}, StatusNotActivated, "old.p12"},
		{"in use, name without a date", tok(Token{Cert: oldCert}), unnamed, []Keystore{old}, StatusNotActivated, "old.p12"},
		{"public key agrees", tok(Token{Cert: newCert}), withKeys(renewed, newCert.PublicKey), nil, StatusOK, "new.p12"},
		{"alias right, public key wrong", tok(Token{Cert: newCert}), withKeys(renewed, oldCert.PublicKey), nil, StatusMismatch, ""},
		{"alias right, its certificate unknown", tok(Token{Cert: newCert}), withKeys(renewed, nil), nil, StatusOK, "new.p12"},
		{"several: the worst counts", tok(Token{Cert: newCert}, Token{Cert: oldCert, ApplicationID: "app"}, Token{Cert: newCert}),
			renewed, []Keystore{old}, StatusNotActivated, "old.p12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(tt.tokens, tt.inUse, tt.others)
			if r.Status != tt.want || r.Matches != tt.matches || r.Keystore.Path != tt.inUse.Path {
				t.Fatalf("status %q, matches %q, keystore %q; want %q, %q, %q", r.Status, r.Matches, r.Keystore.Path, tt.want, tt.matches, tt.inUse.Path)
			}
			if (r.ETK == nil) != (len(tt.tokens) == 0) {
				t.Fatalf("ETK %v for %d tokens", r.ETK, len(tt.tokens))
			}
		})
	}
}

// TestCheckerRenewalStory follows a renewal over the simulator: the old
// ETK stays published after the switch to the renewed keystore, then the
// renewal ETK is activated.
func TestCheckerRenewalStory(t *testing.T) {
	w := fixtures(t)
	srv, c := depot(t)
	dir, oldPath, renewedPath := keystoreDir(t, w)
	files, err := cert.Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	ck := &Checker{Client: c}
	check := func(path string, pw []byte) Result {
		t.Helper()
		r, err := ck.Check(context.Background(), Input{SSIN: testSSIN, KeystorePath: path, Files: files, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	if r := check(renewedPath, nil); r.Status != StatusNotFound || r.Keystore.Path != renewedPath {
		t.Fatalf("nothing published: %+v", r)
	}
	publish(t, srv, testSSIN, "", w.old)
	if r := check(oldPath, nil); r.Status != StatusOK || r.Matches != oldPath {
		t.Fatalf("old keystore, old ETK: %q, %q", r.Status, r.Matches)
	}
	r := check(renewedPath, nil)
	if r.Status != StatusNotActivated || r.Matches != oldPath {
		t.Fatalf("renewed keystore, old ETK: %q matches %q, want not-activated matching %s", r.Status, r.Matches, oldPath)
	}
	if got := r.Keystore.Aliases; len(got) != 1 || got[0] != w.renewed.EncCerts[0].SerialNumber.String() {
		t.Fatalf("aliases of the keystore in use %q", got)
	}
	publish(t, srv, testSSIN, "", w.renewed)
	if r := check(renewedPath, []byte(password)); r.Status != StatusOK || r.Keystore.Keys == nil {
		t.Fatalf("activated, with the password: %q (keys %v)", r.Status, r.Keystore.Keys)
	}
	// A key of this NISS that no keystore in the folder holds (someone
	// else's keystore is there too).
	otherPath, err := w.other.WriteFile(dir, time.Now().AddDate(-2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if files, err = cert.Discover(dir); err != nil || len(files) != 3 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	publish(t, srv, testSSIN, "", w.stray)
	if r := check(renewedPath, nil); r.Status != StatusMismatch || r.Matches != "" {
		t.Fatalf("unknown key: %q matches %q (other keystore %s)", r.Status, r.Matches, otherPath)
	}
}

func TestCheckerErrors(t *testing.T) {
	w := fixtures(t)
	srv, c := depot(t)
	_, _, renewedPath := keystoreDir(t, w)
	ck := &Checker{Client: c}
	in := Input{SSIN: testSSIN, KeystorePath: renewedPath, Password: []byte("wrong")}
	if _, err := ck.Check(context.Background(), in); !errors.Is(err, cert.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests: the depot is asked only once the keystore is read", n)
	}
	in = Input{SSIN: testSSIN, KeystorePath: filepath.Join(t.TempDir(), "missing.p12")}
	if _, err := ck.Check(context.Background(), in); !errors.Is(err, cert.ErrRead) {
		t.Fatalf("missing keystore: %v", err)
	}
	srv.SetFault(etktest.FaultSOAP, "", "")
	r, err := ck.Check(context.Background(), Input{SSIN: testSSIN, KeystorePath: renewedPath})
	if _, ok := errors.AsType[*UnavailableError](err); !ok || r.Keystore.Path != renewedPath {
		t.Fatalf("depot down: %v, keystore %q", err, r.Keystore.Path)
	}
}

// TestPublishAt is the demo's switch: the old ETK until the given time,
// the new one from then on.
func TestPublishAt(t *testing.T) {
	w := fixtures(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	clk := clocktest.New(now)
	srv, err := etktest.New(etktest.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := NewClient(Options{URL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, testSSIN, "", w.old)
	if err := srv.PublishAt(now.Add(60*time.Second), testSSIN, "", w.renewed.EncCerts[0], w.renewed.AuthCert); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   time.Duration
		want string
	}{{0, "old"}, {59 * time.Second, "old"}, {60 * time.Second, "renewed"}, {time.Hour, "renewed"}} {
		clk.Set(now.Add(step.at))
		tokens, err := c.Fetch(context.Background(), testSSIN)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("+%v: %v, %v", step.at, tokens, err)
		}
		want := map[string]string{"old": w.old.EncCerts[0].SerialNumber.String(), "renewed": w.renewed.EncCerts[0].SerialNumber.String()}[step.want]
		if got := tokens[0].Cert.SerialNumber.String(); got != want {
			t.Fatalf("+%v: serial %s, want the %s ETK", step.at, got, step.want)
		}
	}
}
