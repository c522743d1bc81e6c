// Package demo is the demo world of `ehealth-tray demo`: a generated eHealth
// keystore, the STS and EtkDepot simulators on one loopback TLS listener, a
// SoftHSM2 "eID card" when SoftHSM2 is installed, and later a renewed
// keystore whose ETK the depot publishes a minute after its first use (see
// Run). It is the one door through which the simulators and the test
// keystore writer enter the product; nothing else outside tests imports them.
package demo

import (
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/cert/certtest"
	"ehealth-tray/config"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/etk/etktest"
	"ehealth-tray/sts/ststest"
)

// The demo practitioner. The NISS and INAMI are valid test numbers.
const (
	NISS     = "79021802145"
	INAMI    = "5/38861/71/521"
	NIHII11  = "53886171521"
	Password = "demo"
	PIN      = "1234"
	Days     = 20 // the demo certificate's validity left, to show a reminder
)

// CardStatus says whether the demo has an eID card.
type CardStatus int

const (
	// CardReady: a SoftHSM2 token plays the eID card (PIN below).
	CardReady CardStatus = iota
	// CardNoSoftHSM: SoftHSM2 is not installed; only the fallback works.
	CardNoSoftHSM
	// CardFailed: SoftHSM2 is there but the token could not be made (CardErr).
	CardFailed
)

// CheckInterval is the demo's regular check: short, since in demo mode the
// tray checks a not-activated ETK again at each one, so that it learns within
// the two-minute story that the renewed ETK is published.
const CheckInterval = 20 * time.Second

// World is a running demo. Close stops its servers.
type World struct {
	Config config.Config
	STS    *ststest.STS
	Depot  *etktest.Depot
	// STSURL and ETKURL are the simulators' endpoints, on one listener
	// whose certificate is the config's [sts] ca_file.
	STSURL, ETKURL string
	Keystore       string // the demo keystore's path
	Card           CardStatus
	CardErr        error

	dir string
	ca  *certtest.CA
	now func() time.Time // the depot's clock
	srv *httptest.Server

	mu      sync.Mutex
	renewed *certtest.Fixture // the keystore DropRenewed wrote, nil before
	usedAt  time.Time         // the renewed keystore's first session, zero before
	used    chan struct{}     // closed at usedAt
	// publishErr is why the renewed ETK could not be scheduled at usedAt.
	publishErr error
}

// New writes the demo keystore into dir/keystore, starts the STS and
// EtkDepot simulators over TLS, publishes the keystore's ETK, makes the
// SoftHSM2 card when it can, and records the keystore as imported, so its
// expiry (and the 20-day reminder) shows before the first password. The
// state folder is dir/state.
func New(dir string) (*World, error) {
	return newWorld(dir, time.Now)
}

// newWorld is New on the depot clock, which tests move forward.
func newWorld(dir string, clock func() time.Time) (*World, error) {
	w := &World{dir: dir, now: clock, used: make(chan struct{})}
	ksDir := filepath.Join(dir, "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		return nil, err
	}
	ca, err := certtest.NewCA(true)
	if err != nil {
		return nil, err
	}
	w.ca = ca
	now := time.Now()
	fx, err := certtest.New(certtest.Options{
		SSIN: NISS, GivenNames: "ANNE", Surname: "DEMO", CA: ca,
		NotBefore: now.AddDate(-3, 0, Days), NotAfter: now.Add(Days*24*time.Hour + time.Hour), Password: Password,
	})
	if err != nil {
		return nil, err
	}
	if w.Keystore, err = fx.WriteFile(ksDir, now.AddDate(-3, 0, Days)); err != nil {
		return nil, err
	}
	if err := w.serve(fx); err != nil {
		return nil, err
	}
	if err := w.configure(ksDir); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.record(fx.P12); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// StateDir is the demo's state folder.
func (w *World) StateDir() string { return filepath.Join(w.dir, "state") }

// Close stops the simulators.
func (w *World) Close() {
	w.STS.Close()
	w.srv.Close()
}

// serve starts both simulators on one loopback TLS listener, the depot
// publishing fx's ETK.
func (w *World) serve(fx *certtest.Fixture) error {
	sts, err := ststest.NewSTS(ststest.Options{NIHII: NIHII11, GivenName: "ANNE", Surname: "DEMO", TrustedCAs: []*x509.Certificate{w.ca.Cert}})
	if err != nil {
		return err
	}
	depot, err := etktest.NewDepot(etktest.Options{Now: w.now})
	if err != nil {
		return err
	}
	if err := depot.Publish(NISS, "", fx.EncCerts[0], fx.AuthCert, w.ca.Cert); err != nil {
		return err
	}
	w.STS, w.Depot = sts, depot
	mux := http.NewServeMux()
	mux.Handle(ststest.Path, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		sts.ServeHTTP(rw, r)
		w.noticeUse()
	}))
	mux.Handle(etktest.Path, depot)
	w.srv = httptest.NewUnstartedServer(mux)
	w.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the simulators report what matters
	w.srv.StartTLS()
	w.STSURL, w.ETKURL = w.srv.URL+ststest.Path, w.srv.URL+etktest.Path
	return nil
}

func (w *World) configure(ksDir string) error {
	caFile := filepath.Join(w.dir, "sts-ca.pem")
	if err := os.WriteFile(caFile, ststest.PEM(w.srv.Certificate()), 0o600); err != nil {
		return err
	}
	cfg := config.Default()
	cfg.Path = filepath.Join(w.dir, "config.toml")
	cfg.Environment = config.Acceptance
	cfg.KeystoreDir = ksDir
	cfg.STS.URL = w.STSURL
	cfg.STS.CAFile = caFile
	cfg.ETK.URL = w.ETKURL
	cfg.Session.CheckInterval = config.Duration{Duration: CheckInterval}
	cfg.Providers = []config.Provider{{Name: "Anne Demo", NISS: NISS, INAMI: INAMI, Quality: "physiotherapist", Selected: true}}
	w.Card, w.CardErr = w.setUpCard(&cfg)
	w.Config = cfg
	return nil
}

func (w *World) record(p12 []byte) error {
	recs, err := app.LoadRecords(filepath.Join(w.StateDir(), "certificates.json"))
	if err != nil {
		return err
	}
	ks, err := cert.Decode(p12, []byte(Password))
	if err != nil {
		return err
	}
	return recs.Put(app.Record{Path: w.Keystore, Identity: cert.IdentityOf(ks.Cert, filepath.Base(w.Keystore))})
}

// setUpCard makes a SoftHSM2 token that plays the eID card: an EC P-384
// Authentication key like the cards issued since 2021.
func (w *World) setUpCard(cfg *config.Config) (CardStatus, error) {
	if _, err := softhsm.ModulePath(); err != nil {
		return CardNoSoftHSM, nil
	}
	key, crt, err := certtest.NewCard(NISS, "Anne", "Demo", w.ca)
	if err != nil {
		return CardFailed, err
	}
	tok, err := softhsm.NewToken(filepath.Join(w.dir, "card"), "BELPIC", PIN, "Authentication", key, crt)
	if err != nil {
		return CardFailed, err
	}
	// The PKCS#11 module reads its config from the environment at load time.
	_ = os.Setenv(softhsm.EnvVar, tok.ConfPath)
	cfg.EID.Module = tok.Module
	return CardReady, nil
}

// DropRenewed writes a renewed keystore the way the eHealth Certificate
// Manager would: complete, under a new SSIN=… name, next to the old one.
func (w *World) DropRenewed() (string, error) {
	now := time.Now()
	fx, err := certtest.New(certtest.Options{
		SSIN: NISS, GivenNames: "ANNE", Surname: "DEMO", CA: w.ca,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0), Password: Password,
	})
	if err != nil {
		return "", err
	}
	// Written elsewhere, then renamed into place, so the folder never holds a
	// half-written file under a keystore name.
	tmpDir := filepath.Join(w.dir, "incoming")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", err
	}
	tmp, err := fx.WriteFile(tmpDir, now)
	if err != nil {
		return "", err
	}
	final := filepath.Join(w.Config.KeystoreDir, filepath.Base(tmp))
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	w.mu.Lock()
	w.renewed = fx
	w.mu.Unlock()
	return final, nil
}
