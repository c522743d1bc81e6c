// Package checks holds the practice software's rules before connecting to
// eHealth: one provider, a valid NISS and INAMI, a known profession, and a
// readable, unexpired certificate of that NISS for the configured
// environment. Evaluate and the rules (Quality, Certificate…) are pure
// functions, so the CLI, the tray, the session opener and the tests share one
// truth.
package checks

import (
	"errors"
	"slices"
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
	ProviderQuality        = "provider.quality"
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
	// KeystoreDirErr is why keystore_dir could not be listed (FindKeystore),
	// nil when it could.
	KeystoreDirErr error
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
	e := &evaluation{l: in.Localizer}
	e.selected(in.Config)
	if in.Provider == nil {
		e.blocked(ProviderSelected, ProviderNISS, ProviderINAMI, ProviderQuality, CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment)
		return e.out
	}
	niss, err := e.provider(*in.Provider)
	if err != nil {
		e.blocked(ProviderNISS, CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment)
		return e.out
	}
	e.keystore(in, niss)
	return e.out
}

// evaluation collects the checks of one Evaluate.
type evaluation struct {
	l   *i18n.Localizer
	out []Check
}

func (e *evaluation) add(id string, ok bool, msg string) {
	e.out = append(e.out, Check{ID: id, OK: ok, Message: msg})
}

// blocked reports the checks ids as not judged because check by failed.
func (e *evaluation) blocked(by string, ids ...string) {
	for _, id := range ids {
		e.add(id, false, e.l.T("check.blocked", map[string]any{"Check": by}))
	}
}

func (e *evaluation) selected(cfg *config.Config) {
	l := e.l
	selected := cfg.SelectedProviders()
	switch {
	case len(cfg.Providers) == 0:
		e.add(ProviderSelected, false, l.T("check.no-provider", map[string]any{"File": configName(cfg)}))
	case len(selected) != 1:
		e.add(ProviderSelected, false, l.N("check.providers-selected", len(selected)))
	default:
		e.add(ProviderSelected, true, l.T("check.provider", map[string]any{"Name": selected[0].Name}))
	}
}

// provider checks the NISS, INAMI and profession; it returns the NISS, or
// why it is not valid.
func (e *evaluation) provider(p config.Provider) (cert.NISS, error) {
	l := e.l
	niss, nissProblem := NISS(p)
	if nissProblem != nil {
		e.add(ProviderNISS, false, nissProblem.Localize(l))
	} else {
		e.add(ProviderNISS, true, l.T("check.niss-ok", map[string]any{"NISS": niss.Format()}))
	}
	if inami, problem := INAMI(p); problem != nil {
		e.add(ProviderINAMI, false, problem.Localize(l))
	} else {
		e.add(ProviderINAMI, true, l.T("check.inami-ok", map[string]any{"INAMI": inami.Format()}))
	}
	if q := Quality(p); q != nil {
		e.add(ProviderQuality, false, q.Localize(l))
	} else {
		e.add(ProviderQuality, true, l.T("check.quality-ok", map[string]any{"Quality": p.Quality}))
	}
	if nissProblem != nil {
		return "", nissProblem
	}
	return niss, nil
}

// keystore checks that the keystore is found and opens, then applies the
// certificate rules to it.
func (e *evaluation) keystore(in Input, niss cert.NISS) {
	l := e.l
	switch {
	case in.KeystorePath != "":
		e.add(CertificateFound, true, l.T("check.certificate", map[string]any{"Path": in.KeystorePath}))
	case dirMissing(in.KeystoreDirErr):
		e.add(CertificateFound, false, l.T("check.no-keystore-dir", map[string]any{"Dir": in.Config.KeystoreDirPath()}))
	default:
		e.add(CertificateFound, false, l.T("check.no-certificate", map[string]any{"NISS": niss.Format(), "Dir": in.Config.KeystoreDirPath()}))
	}
	if in.KeystorePath == "" {
		e.blocked(CertificateFound, CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment)
		return
	}
	ks := in.Keystore
	switch {
	case ks != nil:
		e.add(CertificatePassword, true, l.T("check.password-ok"))
	case in.OpenErr == nil:
		e.add(CertificatePassword, false, l.T("check.no-password"))
	case errors.Is(in.OpenErr, cert.ErrWrongPassword):
		e.add(CertificatePassword, false, l.T("check.wrong-password", map[string]any{"Path": in.KeystorePath}))
	default:
		e.add(CertificatePassword, false, l.T("check.unreadable", map[string]any{"Reason": in.OpenErr.Error()}))
	}
	if ks == nil {
		e.blocked(CertificatePassword, CertificateIdentity, CertificateValid, CertificateEnvironment)
		return
	}
	id := ks.Identity
	problems := Certificate(id, niss, in.Config.Environment, in.Now)
	for _, c := range []struct{ id, okMsg string }{
		{CertificateIdentity, l.T("check.identity-ok", map[string]any{"Holder": id.Holder, "SSIN": id.SSIN})},
		{CertificateValid, l.T("check.valid", map[string]any{"Date": l.Date(id.NotAfter), "Days": l.N("unit.days", cert.DaysLeft(id.NotAfter, in.Now))})},
		{CertificateEnvironment, l.T("check.environment-ok", map[string]any{"Environment": EnvironmentName(l, id.Environment)})},
	} {
		if i := slices.IndexFunc(problems, func(p *Problem) bool { return p.Check == c.id }); i >= 0 {
			e.add(c.id, false, problems[i].Localize(l))
		} else {
			e.add(c.id, true, c.okMsg)
		}
	}
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
		return p.KeystorePath()
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
