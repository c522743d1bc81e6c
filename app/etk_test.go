package app

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/etk/etktest"
	"ehealth-tray/icons"
	"ehealth-tray/tray"
)

// fixture writes a keystore of ssin created at created and returns it.
func (r *rig) fixture(created time.Time) *certtest.Fixture {
	r.t.Helper()
	now := r.clock.Now()
	fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: r.ca, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(2, 0, 0), Password: "s3cret"})
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := fx.WriteFile(r.ksDir, created); err != nil {
		r.t.Fatal(err)
	}
	return fx
}

// depot is an ETK depot simulator the Core uses, closed with the test.
func (r *rig) depot() *etktest.Server {
	r.t.Helper()
	d, err := etktest.New(etktest.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(d.Close)
	r.useDepot(d.URL, d.CACertPEM())
	return d
}

// useDepot points the settings at the depot at url, whose TLS root is caPEM.
func (r *rig) useDepot(url string, caPEM []byte) {
	r.t.Helper()
	r.cfg.ETK.URL = url
	r.cfg.STS.CAFile = writeFile(r.t, r.dir, "depot-ca.pem", caPEM)
}

// A renewed keystore whose ETK was never activated: after the session
// starts, one notification with the words of issue 11 and a menu line to
// the guide; not again at the next start, nor after a restart.
func TestCoreETKNotActivated(t *testing.T) {
	r := newRig(t)
	depot := r.depot()
	now := r.clock.Now()
	old := r.fixture(now.AddDate(-3, 0, 0))
	r.fixture(now.AddDate(0, 0, -2)) // the renewed keystore, in use
	if err := depot.Publish(ssin, "", old.EncCerts[0], old.AuthCert, old.CA.Cert); err != nil {
		t.Fatal(err)
	}
	const title = "ETK not activated"
	for run := range 2 {
		r.start()
		if run == 1 {
			s := r.wait("the recorded ETK line after a restart", func(s tray.State) bool { return s.ETK.Visible })
			if n := len(depot.Requests()); n != 1 {
				t.Fatalf("%d depot requests: a restart checked again before a day passed", n)
			}
			if !strings.Contains(lines(s), "not activated") {
				t.Fatalf("restart: %+v", s)
			}
		}
		r.click(tray.CmdFallback)
		s := r.wait("green with the ETK line", func(s tray.State) bool { return s.Icon == icons.KindActive && s.ETK.Visible })
		if s.ETK.Label != "How to activate the renewed ETK…" || !strings.Contains(lines(s), "Renewed encryption key (ETK) not activated yet") {
			t.Fatalf("ETK line: %+v", s)
		}
		r.stop()
	}
	if n := r.notes.count(title); n != 1 {
		t.Fatalf("%d ETK notifications over two starts and a restart, want 1", n)
	}
	r.notes.mu.Lock()
	defer r.notes.mu.Unlock()
	for _, n := range r.notes.sent {
		if n.Title == title && !strings.HasPrefix(n.Body, "Your renewed encryption key (ETK) is not activated yet: messages encrypted for you cannot be read with the new certificate.") {
			t.Fatalf("body: %q", n.Body)
		}
	}
}

// The regular check asks the depot again once a day, and the situation
// that lasts is told again then: at most once a day.
func TestCoreETKDailyCheck(t *testing.T) {
	r := newRig(t)
	depot := r.depot()
	now := r.clock.Now()
	old := r.fixture(now.AddDate(-3, 0, 0))
	r.fixture(now.AddDate(0, 0, -2))
	if err := depot.Publish(ssin, "", old.EncCerts[0], old.AuthCert, old.CA.Cert); err != nil {
		t.Fatal(err)
	}
	r.start()
	defer r.stop()
	r.click(tray.CmdFallback)
	r.wait("the ETK line", func(s tray.State) bool { return s.ETK.Visible })
	r.clock.Advance(25 * time.Hour) // the regular check's timer fires, a day later
	r.wait("a second check", func(tray.State) bool { return len(depot.Requests()) == 2 && r.notes.count("ETK not activated") == 2 })
}

// A failed ETK check is logged only: the icon stays green, nothing is
// notified, nothing is shown.
func TestCoreETKFailureIsQuiet(t *testing.T) {
	r := newRig(t)
	depot := r.depot()
	depot.SetFault(etktest.FaultHTTP500, "", "")
	r.fixture(r.clock.Now().AddDate(0, 0, -2))
	core := r.run(Options{})
	defer r.stop()

	r.click(tray.CmdFallback)
	r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })
	r.log.Wait(t, "ETK check failed; trying again at the next regular check")
	s := core.State()
	if s.Icon != icons.KindActive || s.ETK.Visible || strings.Contains(lines(s), "ETK") || r.notes.count("ETK") != 0 {
		t.Fatalf("a failed ETK check showed: %+v, notes %+v", s, r.notes.sent)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCoreETKCheckInFlightAtSwitch: the session start's check is still on
// its way (a slow network) when the practitioner switches to the renewed
// keystore. The switch's own check must not be lost, and the late result,
// about the old keystore, must not be shown as the renewed one's.
func TestCoreETKCheckInFlightAtSwitch(t *testing.T) {
	r := newRig(t)
	depot, err := etktest.NewDepot(etktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if n.Add(1) == 1 {
			<-release // the first check hangs until after the switch
		}
		depot.ServeHTTP(w, q)
	}))
	defer srv.Close()
	r.useDepot(srv.URL+etktest.Path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	now := r.clock.Now()
	old := r.fixture(now.AddDate(-3, 0, 0))
	if err := depot.Publish(ssin, "", old.EncCerts[0], old.AuthCert, old.CA.Cert); err != nil {
		t.Fatal(err)
	}
	r.start()
	defer r.stop()
	r.click(tray.CmdFallback)
	r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })

	r.keystore(ssin, now.AddDate(3, 0, 0), now) // renewed; its ETK is not activated
	r.wait("offer", func(s tray.State) bool { return s.Offer.Visible && s.Offer.Enabled })
	r.click(tray.CmdUseNewCert)
	want := now.AddDate(3, 0, 0).Local().Format("2006-01-02")
	r.wait("switched", func(s tray.State) bool { return !s.Offer.Visible && strings.Contains(s.Cert, want) })
	once.Do(func() { close(release) })

	r.wait("the renewed keystore's ETK line", func(s tray.State) bool { return s.ETK.Visible })
	if c := r.notes.count("ETK not activated"); c != 1 {
		t.Fatalf("%d notifications (depot asked %d times), want 1", c, n.Load())
	}
}
