// Package checks holds the practice software's rules before connecting to
// eHealth: one provider, a valid NISS and INAMI, and a readable, unexpired
// certificate of that NISS for the configured environment. Evaluate is a pure
// function of its Input, so the CLI, the tray and the tests share one truth.
package checks

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
)

// Stable check ids, in the order they are evaluated.
const (
	ProviderSelected       = "provider.selected"
	ProviderNISS           = "provider.niss"
	ProviderINAMI          = "provider.inami"
	CertificateFound       = "certificate.found"
	CertificatePassword    = "certificate.password"
	CertificateIdentity    = "certificate.identity"
	CertificateValid       = "certificate.valid"
	CertificateEnvironment = "certificate.environment"
)

// Check is the outcome of one rule. Message says what is wrong and how to fix
// it when OK is false.
type Check struct {
	ID      string `json:"id"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// Input is everything the rules look at.
type Input struct {
	Config   *config.Config
	Provider *config.Provider // the selected provider, nil when not exactly one
	// KeystorePath is the keystore chosen for the provider ("" = none found).
	KeystorePath string
	// Keystore is the opened keystore, nil when not opened; OpenErr says why.
	Keystore *cert.Keystore
	OpenErr  error
	Now      time.Time
}

// Evaluate runs every rule. A rule that cannot be judged because an earlier
// one failed is reported as not passed, saying which one blocks it.
func Evaluate(in Input) []Check {
	var out []Check
	add := func(id string, ok bool, msg string) { out = append(out, Check{ID: id, OK: ok, Message: msg}) }
	blocked := func(id, by string) { add(id, false, "Not checked: "+by+" must pass first") }

	selected := in.Config.SelectedProviders()
	switch {
	case len(in.Config.Providers) == 0:
		add(ProviderSelected, false, "No provider configured: add a [[provider]] with your name, NISS and INAMI to "+configName(in.Config))
	case len(selected) != 1:
		add(ProviderSelected, false, fmt.Sprintf("%d providers are selected: select exactly one (selected = true)", len(selected)))
	default:
		add(ProviderSelected, true, "Provider: "+selected[0].Name)
	}
	p := in.Provider
	if p == nil {
		for _, id := range []string{ProviderNISS, ProviderINAMI, CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, ProviderSelected)
		}
		return out
	}

	niss, nissErr := cert.ParseNISS(p.NISS)
	switch {
	case strings.TrimSpace(p.NISS) == "":
		add(ProviderNISS, false, "NISS not registered: enter it in the provider profile (niss = \"…\")")
	case nissErr != nil:
		add(ProviderNISS, false, fmt.Sprintf("NISS %q is not valid (%v): correct it in the provider profile", p.NISS, nissErr))
	default:
		add(ProviderNISS, true, "NISS "+niss.Format())
	}
	inami, inamiErr := cert.ParseINAMI(p.INAMI)
	switch {
	case strings.TrimSpace(p.INAMI) == "":
		add(ProviderINAMI, false, "INAMI number not registered: enter it in the provider profile (inami = \"…\")")
	case inamiErr != nil:
		add(ProviderINAMI, false, fmt.Sprintf("INAMI number %q is not valid (%v): correct it in the provider profile", p.INAMI, inamiErr))
	default:
		add(ProviderINAMI, true, "INAMI "+inami.Format())
	}

	if nissErr != nil {
		for _, id := range []string{CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, ProviderNISS)
		}
		return out
	}
	if in.KeystorePath == "" {
		add(CertificateFound, false, fmt.Sprintf("No eHealth certificate for NISS %s in %s: import it with the eHealth Certificate Manager, or set keystore in the provider profile", niss.Format(), in.Config.KeystoreDirPath()))
		for _, id := range []string{CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, CertificateFound)
		}
		return out
	}
	add(CertificateFound, true, "Certificate "+in.KeystorePath)

	ks := in.Keystore
	switch {
	case ks != nil:
		add(CertificatePassword, true, "The certificate opens with this password")
	case in.OpenErr == nil:
		add(CertificatePassword, false, "Not checked: no password given (use --password-stdin)")
	case errors.Is(in.OpenErr, cert.ErrWrongPassword):
		add(CertificatePassword, false, "Wrong password for "+in.KeystorePath+": type the password chosen when the certificate was created")
	default:
		add(CertificatePassword, false, fmt.Sprintf("The certificate cannot be read (%v): download it again with the eHealth Certificate Manager", in.OpenErr))
	}
	if ks == nil {
		for _, id := range []string{CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, CertificatePassword)
		}
		return out
	}

	id := ks.Identity
	if id.SSIN == string(niss) {
		add(CertificateIdentity, true, "Certificate of "+id.Holder+" (SSIN "+id.SSIN+")")
	} else {
		add(CertificateIdentity, false, fmt.Sprintf("This certificate belongs to SSIN %s, not to the provider's NISS %s: choose the provider's own certificate", id.SSIN, niss))
	}

	day := func(t time.Time) string { return t.Local().Format("2006-01-02") }
	switch cert.StatusAt(id.NotBefore, id.NotAfter, in.Now, 0) {
	case cert.StatusExpired:
		add(CertificateValid, false, "Certificate expired on "+day(id.NotAfter)+": renew it with the eHealth Certificate Manager")
	case cert.StatusNotYetValid:
		add(CertificateValid, false, "Certificate valid only from "+day(id.NotBefore)+": check the computer's date, or wait")
	default:
		add(CertificateValid, true, fmt.Sprintf("Certificate valid until %s (%d days)", day(id.NotAfter), cert.DaysLeft(id.NotAfter, in.Now)))
	}

	if id.Environment == in.Config.Environment {
		add(CertificateEnvironment, true, "Certificate for "+id.Environment)
	} else {
		add(CertificateEnvironment, false, fmt.Sprintf("This is a%s %s certificate but environment = %q: use a %s certificate, or change environment in the settings", article(id.Environment), id.Environment, in.Config.Environment, in.Config.Environment))
	}
	return out
}

// OK reports whether every check passed.
func OK(cs []Check) bool {
	for _, c := range cs {
		if !c.OK {
			return false
		}
	}
	return len(cs) > 0
}

func article(env string) string {
	if strings.HasPrefix(env, "a") {
		return "n"
	}
	return ""
}

func configName(c *config.Config) string {
	if c.Path == "" {
		return config.Path("")
	}
	return c.Path
}

// KeystoreFor picks the provider's keystore: the configured file, else the
// newest discovered file of that NISS for the configured environment, else the
// newest of that NISS in any environment (so the environment check can say
// what is wrong instead of "not found").
func KeystoreFor(cfg *config.Config, p config.Provider, files []cert.File) string {
	if p.Keystore != "" {
		return config.ExpandHome(p.Keystore)
	}
	niss, err := cert.ParseNISS(p.NISS)
	if err != nil {
		return ""
	}
	var other string
	for _, f := range files {
		if f.SSIN != string(niss) || !f.Newest {
			continue
		}
		if f.Environment == cfg.Environment {
			return f.Path
		}
		other = f.Path
	}
	return other
}
