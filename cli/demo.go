package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/cert/certtest"
	"ehealth-tray/config"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/i18n"
	"ehealth-tray/sts/ststest"
)

// The demo practitioner. The NISS and INAMI are valid test numbers.
const (
	demoNISS     = "79021802145"
	demoINAMI    = "5/38861/71/521"
	demoPassword = "demo"
	demoPIN      = "1234"
	demoDays     = 20 // the demo certificate's validity left, to show a reminder
)

func runDemo(e *env, args []string) int {
	fs := newFlags(e, "demo", "demo [--keep]")
	keep := fs.Bool("keep", false, e.loc.T("cli.flag-keep"))
	renewAfter := fs.Duration("renew-after", 30*time.Second, e.loc.T("cli.flag-renew-after"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	l := e.loc
	dir, err := os.MkdirTemp("", "ehealth-tray-demo-")
	if err != nil {
		return e.fail("%s", l.T("cli.demo-failed", map[string]any{"Error": err.Error()}))
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(e.stdout, l.T("cli.demo-folder", map[string]any{"Dir": dir}))
	d, err := setUpDemo(dir, l)
	if err != nil {
		return e.fail("%s", l.T("cli.demo-failed", map[string]any{"Error": err.Error()}))
	}
	defer d.sts.Close()
	fmt.Fprintln(e.stdout, l.T("cli.demo-sts", map[string]any{"URL": d.sts.URL}))
	fmt.Fprintln(e.stdout, l.T("cli.demo-keystore", map[string]any{"Path": d.keystore, "Password": demoPassword, "Days": l.N("unit.days", demoDays)}))
	if d.eidNote != "" {
		fmt.Fprintln(e.stdout, d.eidNote)
	}
	fmt.Fprintln(e.stdout, l.T("cli.demo-click"))
	return e.runTrayApp(trayRun{
		cfg:          d.cfg,
		stateDir:     filepath.Join(dir, "state"),
		demo:         true,
		passwordHint: l.T("cli.demo-hint", map[string]any{"Password": demoPassword, "PIN": demoPIN}),
		ready: func(ctx context.Context, log *slog.Logger) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(*renewAfter):
			}
			path, err := d.dropRenewed()
			if err != nil {
				log.Error("demo: renewed certificate not written", "err", err)
				return
			}
			log.Info("demo: a renewed certificate was written, as the eHealth Certificate Manager would", "file", path)
		},
	})
}

type demo struct {
	cfg      config.Config
	sts      *ststest.Server
	ca       *certtest.CA
	keystore string
	dir      string
	eidNote  string
}

// setUpDemo writes a demo keystore, starts the STS simulator over TLS, and
// makes a SoftHSM2 "eID card" when SoftHSM2 is installed; l words the note
// about that card.
func setUpDemo(dir string, l *i18n.Localizer) (*demo, error) {
	d := &demo{dir: dir}
	ksDir := filepath.Join(dir, "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		return nil, err
	}
	ca, err := certtest.NewCA(true)
	if err != nil {
		return nil, err
	}
	d.ca = ca
	now := time.Now()
	fx, err := certtest.New(certtest.Options{
		SSIN: demoNISS, GivenNames: "ANNE", Surname: "DEMO", CA: ca,
		NotBefore: now.AddDate(-3, 0, demoDays), NotAfter: now.Add(demoDays*24*time.Hour + time.Hour), Password: demoPassword,
	})
	if err != nil {
		return nil, err
	}
	if d.keystore, err = fx.WriteFile(ksDir, now.AddDate(-3, 0, demoDays)); err != nil {
		return nil, err
	}
	d.sts, err = ststest.New(ststest.Options{TLS: true, NIHII: "53886171521", GivenName: "ANNE", Surname: "DEMO", TrustedCAs: []*x509.Certificate{ca.Cert}})
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "sts-ca.pem")
	if err := os.WriteFile(caFile, d.sts.CACertPEM(), 0o600); err != nil {
		return nil, err
	}

	cfg := config.Default()
	cfg.Path = filepath.Join(dir, "config.toml")
	cfg.Environment = config.Acceptance
	cfg.KeystoreDir = ksDir
	cfg.STS.URL = d.sts.URL
	cfg.STS.CAFile = caFile
	cfg.Providers = []config.Provider{{Name: "Anne Demo", NISS: demoNISS, INAMI: demoINAMI, Quality: "physiotherapist", Selected: true}}
	d.eidNote = d.setUpCard(&cfg, l)
	d.cfg = cfg

	// The demo certificate counts as imported, so its expiry (and the 20-day
	// reminder) shows before the first password.
	recs, err := app.LoadRecords(filepath.Join(dir, "state", "certificates.json"))
	if err != nil {
		return nil, err
	}
	ks, err := cert.Decode(fx.P12, []byte(demoPassword))
	if err != nil {
		return nil, err
	}
	if err := recs.Put(app.Record{Path: d.keystore, Identity: cert.IdentityOf(ks.Cert, filepath.Base(d.keystore))}); err != nil {
		return nil, err
	}
	return d, nil
}

// setUpCard makes a SoftHSM2 token that plays the eID card: an EC P-384
// Authentication key like the cards issued since 2021.
func (d *demo) setUpCard(cfg *config.Config, l *i18n.Localizer) string {
	if _, err := softhsm.ModulePath(); err != nil {
		return l.T("cli.demo-no-softhsm")
	}
	failed := func(err error) string { return l.T("cli.demo-card-failed", map[string]any{"Error": err.Error()}) }
	key, crt, err := certtest.NewCard(demoNISS, "Anne", "Demo", d.ca)
	if err != nil {
		return failed(err)
	}
	tok, err := softhsm.NewToken(filepath.Join(d.dir, "card"), "BELPIC", demoPIN, "Authentication", key, crt)
	if err != nil {
		return failed(err)
	}
	// The PKCS#11 module reads its config from the environment at load time.
	_ = os.Setenv(softhsm.EnvVar, tok.ConfPath)
	cfg.EID.Module = tok.Module
	return l.T("cli.demo-card", map[string]any{"PIN": demoPIN})
}

// dropRenewed writes a renewed keystore the way the eHealth Certificate
// Manager would: complete, under a new SSIN=… name, next to the old one.
func (d *demo) dropRenewed() (string, error) {
	now := time.Now()
	fx, err := certtest.New(certtest.Options{
		SSIN: demoNISS, GivenNames: "ANNE", Surname: "DEMO", CA: d.ca,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0), Password: demoPassword,
	})
	if err != nil {
		return "", err
	}
	// Written elsewhere, then renamed into place, so the folder never holds a
	// half-written file under a keystore name.
	tmpDir := filepath.Join(d.dir, "incoming")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", err
	}
	tmp, err := fx.WriteFile(tmpDir, now)
	if err != nil {
		return "", err
	}
	final := filepath.Join(d.cfg.KeystoreDir, filepath.Base(tmp))
	return final, os.Rename(tmp, final)
}
