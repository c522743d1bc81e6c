// Package checks holds the practice software's rules before connecting to
// eHealth: one provider, a valid NISS and INAMI, and a readable, unexpired
// certificate of that NISS for the configured environment. Evaluate is a pure
// function of its Input, so the CLI, the tray and the tests share one truth.
package checks

import (
	"errors"
	"strings"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
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
	// Localizer words the messages (nil = English).
	Localizer *i18n.Localizer
}

// Evaluate runs every rule. A rule that cannot be judged because an earlier
// one failed is reported as not passed, saying which one blocks it.
func Evaluate(in Input) []Check {
	var out []Check
	l := in.Localizer
	add := func(id string, ok bool, msg string) { out = append(out, Check{ID: id, OK: ok, Message: msg}) }
	blocked := func(id, by string) { add(id, false, l.T("check.blocked", map[string]any{"Check": by})) }

	selected := in.Config.SelectedProviders()
	switch {
	case len(in.Config.Providers) == 0:
		add(ProviderSelected, false, l.T("check.no-provider", map[string]any{"File": configName(in.Config)}))
	case len(selected) != 1:
		add(ProviderSelected, false, l.N("check.providers-selected", len(selected)))
	default:
		add(ProviderSelected, true, l.T("check.provider", map[string]any{"Name": selected[0].Name}))
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
		add(ProviderNISS, false, l.T("check.niss-missing"))
	case nissErr != nil:
		add(ProviderNISS, false, l.T("check.niss-invalid", map[string]any{"Value": p.NISS, "Reason": nissErr.Error()}))
	default:
		add(ProviderNISS, true, l.T("check.niss-ok", map[string]any{"NISS": niss.Format()}))
	}
	inami, inamiErr := cert.ParseINAMI(p.INAMI)
	switch {
	case strings.TrimSpace(p.INAMI) == "":
		add(ProviderINAMI, false, l.T("check.inami-missing"))
	case inamiErr != nil:
		add(ProviderINAMI, false, l.T("check.inami-invalid", map[string]any{"Value": p.INAMI, "Reason": inamiErr.Error()}))
	default:
		add(ProviderINAMI, true, l.T("check.inami-ok", map[string]any{"INAMI": inami.Format()}))
	}

	if nissErr != nil {
		for _, id := range []string{CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, ProviderNISS)
		}
		return out
	}
	if in.KeystorePath == "" {
		add(CertificateFound, false, l.T("check.no-certificate", map[string]any{"NISS": niss.Format(), "Dir": in.Config.KeystoreDirPath()}))
		for _, id := range []string{CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, CertificateFound)
		}
		return out
	}
	add(CertificateFound, true, l.T("check.certificate", map[string]any{"Path": in.KeystorePath}))

	ks := in.Keystore
	switch {
	case ks != nil:
		add(CertificatePassword, true, l.T("check.password-ok"))
	case in.OpenErr == nil:
		add(CertificatePassword, false, l.T("check.no-password"))
	case errors.Is(in.OpenErr, cert.ErrWrongPassword):
		add(CertificatePassword, false, l.T("check.wrong-password", map[string]any{"Path": in.KeystorePath}))
	default:
		add(CertificatePassword, false, l.T("check.unreadable", map[string]any{"Reason": in.OpenErr.Error()}))
	}
	if ks == nil {
		for _, id := range []string{CertificateIdentity, CertificateValid, CertificateEnvironment} {
			blocked(id, CertificatePassword)
		}
		return out
	}

	id := ks.Identity
	if id.SSIN == string(niss) {
		add(CertificateIdentity, true, l.T("check.identity-ok", map[string]any{"Holder": id.Holder, "SSIN": id.SSIN}))
	} else {
		add(CertificateIdentity, false, l.T("check.identity-mismatch", map[string]any{"SSIN": id.SSIN, "NISS": string(niss)}))
	}

	switch cert.StatusAt(id.NotBefore, id.NotAfter, in.Now, 0) {
	case cert.StatusExpired:
		add(CertificateValid, false, l.T("check.expired", map[string]any{"Date": l.Date(id.NotAfter)}))
	case cert.StatusNotYetValid:
		add(CertificateValid, false, l.T("check.not-yet-valid", map[string]any{"Date": l.Date(id.NotBefore)}))
	default:
		days := l.N("unit.days", cert.DaysLeft(id.NotAfter, in.Now))
		add(CertificateValid, true, l.T("check.valid", map[string]any{"Date": l.Date(id.NotAfter), "Days": days}))
	}

	if id.Environment == in.Config.Environment {
		add(CertificateEnvironment, true, l.T("check.environment-ok", map[string]any{"Environment": EnvironmentName(l, id.Environment)}))
	} else {
		add(CertificateEnvironment, false, l.T("check.environment-mismatch", map[string]any{
			"Environment": EnvironmentName(l, id.Environment), "Configured": in.Config.Environment,
			"ConfiguredName": EnvironmentName(l, in.Config.Environment),
		}))
	}
	return out
}

// EnvironmentName is an eHealth environment ("production", "acceptance") in
// the reader's words; an unknown one is shown as it is.
func EnvironmentName(l *i18n.Localizer, env string) string {
	switch env {
	case cert.Production:
		return l.T("check.env-production")
	case cert.Acceptance:
		return l.T("check.env-acceptance")
	}
	return env
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
