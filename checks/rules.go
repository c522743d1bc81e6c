package checks

// The provider and certificate rules, as pure functions. They are the one
// truth used by check (Evaluate), by opening a keystore for a session, by the
// switch to a renewed keystore and by the tray's problem line.

import (
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
)

// Problem is a rule that a provider or a certificate breaks. It is an error
// with the CLI kind of the rule, and words itself, with its fix, in the
// reader's language.
type Problem struct {
	// Check is the id of the check the problem fails (ProviderQuality,
	// CertificateIdentity, CertificateValid or CertificateEnvironment).
	Check string
	// Identity is the certificate judged (zero for a provider problem).
	Identity cert.Identity
	// Want is what the rule expected: the provider's NISS, the configured
	// environment, or the profession as written.
	Want string
	kind string
}

// Kinds of Problem, as the CLI names them.
const (
	KindNISSMissing            = "niss-missing"
	KindNISSInvalid            = "invalid-niss"
	KindINAMIMissing           = "inami-missing"
	KindINAMIInvalid           = "invalid-inami"
	KindQualityMissing         = "quality-missing"
	KindQualityInvalid         = "invalid-quality"
	KindIdentityMismatch       = "identity-mismatch"
	KindCertificateExpired     = "certificate-expired"
	KindCertificateNotYetValid = "certificate-not-yet-valid"
	KindCertificateEnvironment = "certificate-environment"
)

// Kind is the CLI error kind.
func (p *Problem) Kind() string { return p.kind }

func (p *Problem) Error() string { return p.Localize(nil) }

// Localize words the problem and its fix in the language of l (i18n.Localized).
func (p *Problem) Localize(l *i18n.Localizer) string {
	id := p.Identity
	switch p.kind {
	case KindNISSMissing:
		return l.T("check.niss-missing")
	case KindNISSInvalid:
		return l.T("check.niss-invalid", map[string]any{"Value": p.Want})
	case KindINAMIMissing:
		return l.T("check.inami-missing")
	case KindINAMIInvalid:
		return l.T("check.inami-invalid", map[string]any{"Value": p.Want})
	case KindQualityMissing:
		return l.T("check.quality-missing", map[string]any{"Allowed": strings.Join(config.Qualities, ", ")})
	case KindQualityInvalid:
		return l.T("check.quality-invalid", map[string]any{"Value": strconv.QuoteToGraphic(p.Want), "Allowed": strings.Join(config.Qualities, ", ")})
	case KindIdentityMismatch:
		return l.T("check.identity-mismatch", map[string]any{"SSIN": id.SSIN, "NISS": p.Want})
	case KindCertificateExpired:
		return l.T("check.expired", map[string]any{"Date": l.Date(id.NotAfter)})
	case KindCertificateNotYetValid:
		return l.T("check.not-yet-valid", map[string]any{"Date": l.DateTime(id.NotBefore)})
	default:
		return l.T("check.environment-mismatch", map[string]any{
			"Environment": EnvironmentName(l, id.Environment), "Configured": p.Want,
			"ConfiguredName": EnvironmentName(l, p.Want),
		})
	}
}

// Quality is the provider.quality rule: the profession must be one the STS
// request knows. Nil when it is.
func Quality(p config.Provider) *Problem {
	switch {
	case strings.TrimSpace(p.Quality) == "":
		return &Problem{Check: ProviderQuality, kind: KindQualityMissing}
	case !slices.Contains(config.Qualities, p.Quality):
		return &Problem{Check: ProviderQuality, Want: p.Quality, kind: KindQualityInvalid}
	}
	return nil
}

// Identity is the certificate.identity rule: the certificate is the
// provider's, by NISS. Nil when it is.
func Identity(id cert.Identity, niss cert.NISS) *Problem {
	if id.SSIN == string(niss) {
		return nil
	}
	return &Problem{Check: CertificateIdentity, Identity: id, Want: string(niss), kind: KindIdentityMismatch}
}

// Validity is the certificate.valid rule: now is within the certificate's
// validity, both ends included as in X.509. Nil when it is.
func Validity(id cert.Identity, now time.Time) *Problem {
	switch cert.StatusAt(id.NotBefore, id.NotAfter, now, 0) {
	case cert.StatusExpired:
		return &Problem{Check: CertificateValid, Identity: id, kind: KindCertificateExpired}
	case cert.StatusNotYetValid:
		return &Problem{Check: CertificateValid, Identity: id, kind: KindCertificateNotYetValid}
	}
	return nil
}

// Environment is the certificate.environment rule: the certificate is for the
// configured eHealth environment. Nil when it is.
func Environment(id cert.Identity, env string) *Problem {
	if id.Environment == env {
		return nil
	}
	return &Problem{Check: CertificateEnvironment, Identity: id, Want: env, kind: KindCertificateEnvironment}
}

// NISS is the provider.niss rule: registered, and 11 digits whose check
// number is right.
func NISS(p config.Provider) (cert.NISS, *Problem) {
	return registered(p.NISS, ProviderNISS, KindNISSMissing, KindNISSInvalid, cert.ParseNISS)
}

// INAMI is the provider.inami rule: registered, and 11 digits whose check
// number is right.
func INAMI(p config.Provider) (cert.INAMI, *Problem) {
	return registered(p.INAMI, ProviderINAMI, KindINAMIMissing, KindINAMIInvalid, cert.ParseINAMI)
}

// registered is the rule of a number the provider must register: check
// fails with kind missing when v is blank, with invalid when parse refuses it.
func registered[T any](v, check, missing, invalid string, parse func(string) (T, error)) (T, *Problem) {
	var zero T
	if strings.TrimSpace(v) == "" {
		return zero, &Problem{Check: check, kind: missing}
	}
	n, err := parse(v)
	if err != nil {
		return zero, &Problem{Check: check, Want: v, kind: invalid}
	}
	return n, nil
}

// Certificate applies every certificate rule, in the order identity,
// validity, environment, and returns the broken ones (none: the certificate
// can open a session for that provider now).
func Certificate(id cert.Identity, niss cert.NISS, env string, now time.Time) []*Problem {
	var out []*Problem
	for _, p := range []*Problem{Identity(id, niss), Validity(id, now), Environment(id, env)} {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// FindKeystore discovers keystore_dir and picks the provider's keystore
// (KeystoreFor). dirErr is the folder's error, if any: a missing folder is
// said as such by the certificate.found check.
func FindKeystore(cfg *config.Config, p config.Provider) (path string, dirErr error) {
	files, dirErr := cert.Discover(cfg.KeystoreDirPath())
	return KeystoreFor(cfg, p, files), dirErr
}

// dirMissing tells a keystore folder that does not exist.
func dirMissing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
