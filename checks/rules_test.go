package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
)

func TestCertificateRules(t *testing.T) {
	_, ks := base()
	good := ks.Identity
	const niss = cert.NISS("75031712390")
	if p := Certificate(good, niss, config.Production, now); len(p) != 0 {
		t.Fatalf("a good certificate: %v", p)
	}
	// Both ends of the validity are included, as in X.509.
	if p := Certificate(good, niss, config.Production, good.NotAfter); len(p) != 0 {
		t.Fatalf("at NotAfter: %v", p)
	}
	if p := Certificate(good, niss, config.Production, good.NotBefore); len(p) != 0 {
		t.Fatalf("at NotBefore: %v", p)
	}
	for _, tc := range []struct {
		name  string
		id    func(cert.Identity) cert.Identity
		now   time.Time
		kinds []string
	}{
		{"expired", func(i cert.Identity) cert.Identity { return i }, good.NotAfter.Add(time.Second), []string{KindCertificateExpired}},
		{"not yet valid", func(i cert.Identity) cert.Identity { return i }, good.NotBefore.Add(-time.Second), []string{KindCertificateNotYetValid}},
		{"everything wrong, in order", func(i cert.Identity) cert.Identity {
			i.SSIN, i.Environment = "79021802145", config.Acceptance
			return i
		}, good.NotAfter.AddDate(0, 0, 1), []string{KindIdentityMismatch, KindCertificateExpired, KindCertificateEnvironment}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Certificate(tc.id(good), niss, config.Production, tc.now)
			if len(got) != len(tc.kinds) {
				t.Fatalf("%v", got)
			}
			for i, p := range got {
				if errkind.Of(p) != tc.kinds[i] || p.Localize(i18n.New("fr")) == p.Error() {
					t.Errorf("%d: kind %q, fr %q", i, errkind.Of(p), p.Localize(i18n.New("fr")))
				}
			}
		})
	}
}

func TestQualityRule(t *testing.T) {
	for _, q := range config.Qualities {
		if p := Quality(config.Provider{Quality: q}); p != nil {
			t.Errorf("%s: %v", q, p)
		}
	}
	if p := Quality(config.Provider{Quality: " "}); p == nil || p.Kind() != KindQualityMissing || p.Check != ProviderQuality {
		t.Fatalf("missing: %v", p)
	}
	p := Quality(config.Provider{Quality: "kiné\u202e\x1b[31m"})
	if p == nil || p.Kind() != KindQualityInvalid {
		t.Fatalf("unknown: %v", p)
	}
	msg := p.Localize(i18n.New("nl"))
	if strings.ContainsAny(msg, "\u202e\x1b") || !strings.Contains(msg, "doctor, physiotherapist, nurse, dentist, midwife") {
		t.Fatalf("message %q", msg)
	}
}

// TestMissingKeystoreFolderIsNamed: check says the folder is missing, not
// that the certificate is.
func TestMissingKeystoreFolderIsNamed(t *testing.T) {
	cfg, _ := base()
	cfg.KeystoreDir = filepath.Join(t.TempDir(), "no-such-folder")
	in := Input{Config: &cfg, Provider: &cfg.Providers[0], Now: now}
	in.KeystorePath, in.KeystoreDirErr = FindKeystore(&cfg, cfg.Providers[0])
	var found Check
	for _, c := range Evaluate(in) {
		if c.ID == CertificateFound {
			found = c
		}
	}
	if found.OK || !strings.Contains(found.Message, "The keystore folder "+cfg.KeystoreDir+" does not exist") {
		t.Fatalf("%+v", found)
	}
}

func TestFindKeystoreInTheFolder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"SSIN=75031712390 20240101-120000.p12", "SSIN=75031712390 20250101-120000.p12", "SSIN=79021802145 20250101-120000.p12"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := base()
	cfg.KeystoreDir = dir
	path, err := FindKeystore(&cfg, cfg.Providers[0])
	if err != nil || filepath.Base(path) != "SSIN=75031712390 20250101-120000.p12" {
		t.Fatalf("%q %v", path, err)
	}
}
