package checks

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func base() (config.Config, *cert.Keystore) {
	cfg := config.Default()
	cfg.Providers = []config.Provider{{Name: "V", NISS: "75.03.17-123.90", INAMI: "5/38861/71/521", Quality: "physiotherapist", Selected: true}}
	ks := &cert.Keystore{Identity: cert.Identity{SSIN: "75031712390", Holder: "V V", Environment: "production",
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(0, 6, 0)}}
	return cfg, ks
}

func eval(cfg config.Config, ks *cert.Keystore, openErr error, path string) map[string]Check {
	in := Input{Config: &cfg, KeystorePath: path, Keystore: ks, OpenErr: openErr, Now: now}
	if sel := cfg.SelectedProviders(); len(sel) == 1 {
		in.Provider = &sel[0]
	}
	out := map[string]Check{}
	for _, c := range Evaluate(in) {
		out[c.ID] = c
	}
	return out
}

func TestAllPass(t *testing.T) {
	cfg, ks := base()
	res := eval(cfg, ks, nil, "/k/SSIN=75031712390 20251128-120000.p12")
	if len(res) != 9 {
		t.Fatalf("%d checks", len(res))
	}
	for id, c := range res {
		if !c.OK {
			t.Errorf("%s failed: %s", id, c.Message)
		}
	}
}

func TestEachRuleHasItsMessageAndFix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*config.Config, *cert.Keystore) error
		id      string
		message string
	}{
		{"no provider", func(c *config.Config, _ *cert.Keystore) error { c.Providers = nil; return nil }, ProviderSelected, "add a [[provider]]"},
		{"two selected", func(c *config.Config, _ *cert.Keystore) error {
			c.Providers = append(c.Providers, config.Provider{Name: "W", Selected: true})
			return nil
		}, ProviderSelected, "select exactly one"},
		{"no NISS", func(c *config.Config, _ *cert.Keystore) error { c.Providers[0].NISS = ""; return nil }, ProviderNISS, "NISS not registered: enter it in the provider profile"},
		{"bad NISS", func(c *config.Config, _ *cert.Keystore) error { c.Providers[0].NISS = "75031712391"; return nil }, ProviderNISS, "not valid"},
		{"no profession", func(c *config.Config, _ *cert.Keystore) error { c.Providers[0].Quality = ""; return nil }, ProviderQuality,
			"Profession not set: set quality to one of doctor, physiotherapist, nurse, dentist, midwife"},
		{"unknown profession", func(c *config.Config, _ *cert.Keystore) error { c.Providers[0].Quality = "surgeon"; return nil }, ProviderQuality,
			`Unknown profession "surgeon": set quality to one of doctor, physiotherapist, nurse, dentist, midwife`},
		{"bad INAMI", func(c *config.Config, _ *cert.Keystore) error { c.Providers[0].INAMI = "5/38861/72/521"; return nil }, ProviderINAMI, "not valid"},
		{"other person", func(_ *config.Config, k *cert.Keystore) error { k.Identity.SSIN = "79021802145"; return nil }, CertificateIdentity, "79021802145"},
		{"expired", func(_ *config.Config, k *cert.Keystore) error {
			k.Identity.NotAfter = now.AddDate(0, -3, 0)
			return nil
		}, CertificateValid, "request a new one with the eHealth Certificate Manager"},
		{"not yet valid", func(_ *config.Config, k *cert.Keystore) error {
			k.Identity.NotBefore = now.AddDate(0, 0, 2)
			return nil
		}, CertificateValid, "valid only from"},
		{"acceptance cert", func(_ *config.Config, k *cert.Keystore) error { k.Identity.Environment = "acceptance"; return nil }, CertificateEnvironment, "acceptance certificate"},
		{"wrong password", func(*config.Config, *cert.Keystore) error { return cert.ErrWrongPassword }, CertificatePassword, "Wrong password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ks := base()
			openErr := tc.mutate(&cfg, ks)
			if openErr != nil {
				ks = nil
			}
			res := eval(cfg, ks, openErr, "/k/x.p12")
			c := res[tc.id]
			if c.OK || !strings.Contains(c.Message, tc.message) {
				t.Fatalf("%s: %+v", tc.id, c)
			}
			if len(res) != 9 {
				t.Fatalf("every check must be reported, got %d", len(res))
			}
		})
	}
}

func TestBlockedChecksSayWhy(t *testing.T) {
	cfg, _ := base()
	res := eval(cfg, nil, nil, "")
	if c := res[CertificateFound]; c.OK || !strings.Contains(c.Message, "No eHealth certificate for NISS 75.03.17-123.90") {
		t.Fatalf("%+v", c)
	}
	if c := res[CertificateValid]; c.OK || !strings.Contains(c.Message, "Not checked: "+CertificateFound) {
		t.Fatalf("%+v", c)
	}
	if OK(nil) {
		t.Fatal("no checks is not OK")
	}
}

func TestKeystoreForPrefersEnvironmentAndNewest(t *testing.T) {
	cfg, _ := base()
	files := []cert.File{
		{Path: "/k/old.p12", SSIN: "75031712390", Environment: "production"},
		{Path: "/k/acc.acc-p12", SSIN: "75031712390", Environment: "acceptance", Newest: true},
		{Path: "/k/new.p12", SSIN: "75031712390", Environment: "production", Newest: true},
		{Path: "/k/other.p12", SSIN: "79021802145", Environment: "production", Newest: true},
	}
	if got := KeystoreFor(&cfg, cfg.Providers[0], files); got != "/k/new.p12" {
		t.Fatal(got)
	}
	cfg.Environment = "acceptance"
	if got := KeystoreFor(&cfg, cfg.Providers[0], files); got != "/k/acc.acc-p12" {
		t.Fatal(got)
	}
	p := cfg.Providers[0]
	p.Keystore = "/explicit.p12"
	if got := KeystoreFor(&cfg, p, files); got != "/explicit.p12" {
		t.Fatal(got)
	}
}

// TestMessagesInTheReadersLanguage: the same rules, worded by the Localizer,
// with its dates, plurals and environment names; ids do not change.
func TestMessagesInTheReadersLanguage(t *testing.T) {
	cfg, ks := base()
	ks.Identity.Environment = "acceptance"
	cfg.Providers = append(cfg.Providers, config.Provider{Name: "W", Selected: true})
	in := Input{Config: &cfg, Provider: &cfg.Providers[0], KeystorePath: "/k/x.p12", Keystore: ks, Now: now, Localizer: i18n.New("nl")}
	got := map[string]string{}
	for _, c := range Evaluate(in) {
		got[c.ID] = c.Message
	}
	for id, want := range map[string]string{
		ProviderSelected:       "2 zorgverleners geselecteerd: selecteer er precies één (selected = true)",
		ProviderNISS:           "INSZ 75.03.17-123.90",
		CertificateValid:       "Certificaat geldig tot " + ks.Identity.NotAfter.Local().Format("02/01/2006") + " (" + strconv.Itoa(cert.DaysLeft(ks.Identity.NotAfter, now)) + " dagen)",
		CertificateEnvironment: "Dit certificaat is bedoeld voor ‘acceptatie’, maar environment = \"production\": gebruik uw certificaat voor ‘productie’, of wijzig environment in de instellingen",
	} {
		if got[id] != want {
			t.Errorf("%s: %q, want %q", id, got[id], want)
		}
	}
	in.Localizer = i18n.New("fr")
	in.Keystore, in.OpenErr = nil, cert.ErrWrongPassword
	for _, c := range Evaluate(in) {
		if c.ID == CertificatePassword && c.Message != "Mot de passe incorrect pour /k/x.p12 : tapez le mot de passe choisi lors de la création du certificat" {
			t.Errorf("%q", c.Message)
		}
		if c.ID == CertificateValid && c.Message != "Non vérifié : certificate.password doit d'abord réussir" {
			t.Errorf("%q", c.Message)
		}
	}
}
