// Package app is ehealth-tray's core: it ties the configuration, the
// keystores, the eID and the STS into sessions (Opener), and owns the state
// the tray shows (Core). It knows nothing about how that state is drawn.
package app

import (
	"context"
	"crypto"
	"crypto/x509"
	"log/slog"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/eid"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/prompt"
	"ehealth-tray/session"
	"ehealth-tray/sts"
)

// Secrets supplies what the practitioner types. Implementations ask a dialog
// (tray) or read stdin (CLI). The caller zeroes what it gets.
type Secrets interface {
	// KeystorePassword asks the password of the eHealth certificate at path.
	KeystorePassword(ctx context.Context, path string) ([]byte, error)
	// PIN asks the eID PIN; only called for tokens whose middleware does not ask itself.
	PIN(ctx context.Context) ([]byte, error)
}

// CheckError is a pre-connection rule that failed while opening a session.
type CheckError struct {
	kind string
	text func(l *i18n.Localizer) string
}

func (e *CheckError) Error() string { return e.text(nil) }

// Localize words the error in the language of l (i18n.Localized).
func (e *CheckError) Localize(l *i18n.Localizer) string { return e.text(l) }

// Kind is the CLI error kind.
func (e *CheckError) Kind() string { return e.kind }

// Opener opens eHealth sessions for one provider.
type Opener struct {
	Config       *config.Config
	Provider     config.Provider
	KeystorePath string
	Secrets      Secrets
	Log          *slog.Logger
	Now          func() time.Time // nil = time.Now
	// OnKeystore, when set, learns each keystore opened with its password.
	OnKeystore func(path string, id cert.Identity)
	// RetryDelays are the STS client's (nil = sts.DefaultRetryDelays).
	RetryDelays []time.Duration
	// TraceDir, when set, receives the exact bytes of the STS exchange
	// (session start --trace).
	TraceDir string
}

// keystoreSigner is the keystore's authentication key as a sts.Signer.
type keystoreSigner struct {
	crypto.Signer
	cert *x509.Certificate
}

func (k keystoreSigner) Certificate() *x509.Certificate { return k.cert }

// Open opens a session by method m. It is the session.OpenFunc of the Manager.
func (o *Opener) Open(ctx context.Context, m session.Method) (*session.Assertion, error) {
	log := o.logger()
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	// The client's TLS roots load while the keystore's key derivations run:
	// the two are independent, and each costs tens of milliseconds.
	clientc := make(chan clientOrError, 1)
	go func() {
		c, err := o.newClient(log, now)
		clientc <- clientOrError{c, err}
	}()
	ks, err := o.openKeystore(ctx, now())
	if err != nil {
		return nil, err
	}
	hok := keystoreSigner{ks.Key, ks.Cert}
	ident := sts.Signer(hok)
	if m == session.MethodEID {
		card, err := eid.Open(ctx, eid.Config{Module: o.Config.ModulePath(), TokenLabel: o.Config.EID.TokenLabel, KeyLabel: o.Config.EID.KeyLabel, Logger: log, ExpectedSSIN: ks.Identity.SSIN}, o.Secrets.PIN)
		if err != nil {
			return nil, err
		}
		defer card.Close()
		ident = card
	} else {
		log.Warn("session via the fallback procedure (exceptional use)", "provider", o.Provider.Name)
	}
	req, err := sts.BuildRequest(sts.RequestParams{
		Identification:         ident,
		HOK:                    hok,
		SSIN:                   ks.Identity.SSIN,
		Quality:                o.Provider.Quality,
		Validity:               o.Config.Session.Validity.Duration,
		SignatureMethod:        o.Config.STS.Signature,
		RequestSignatureMethod: o.Config.STS.RequestSignature,
		Now:                    now(),
	})
	if err != nil {
		return nil, err
	}
	client := <-clientc
	if client.err != nil {
		return nil, client.err
	}
	a, err := client.c.RequestToken(ctx, req)
	if err != nil {
		return nil, err
	}
	if got, mismatch := sts.NIHIIMismatch(a, o.Provider.INAMI); mismatch {
		log.Warn("INAMI number returned by eHealth differs from the configured one", "configured", o.Provider.INAMI, "returned", got)
	}
	return a, nil
}

type clientOrError struct {
	c   *sts.Client
	err error
}

// newClient is the STS client of the settings, with its trust and TLS roots.
func (o *Opener) newClient(log *slog.Logger, now func() time.Time) (*sts.Client, error) {
	opts := sts.ClientOptions{URL: o.Config.STSURL(), Timeout: o.Config.STS.Timeout.Duration, CAFile: o.Config.CAFilePath(),
		Logger: log, TraceDir: o.TraceDir, RetryDelays: o.RetryDelays, Now: now}
	if o.Config.STS.Trust != "" {
		var err error
		if opts.Trust, err = sts.LoadTrust(o.Config.TrustPath()); err != nil {
			return nil, err
		}
	}
	return sts.NewClient(opts)
}

// openKeystore asks the password, opens the keystore and applies the
// identity and validity rules before anything is signed.
func (o *Opener) openKeystore(ctx context.Context, now time.Time) (*cert.Keystore, error) {
	if o.KeystorePath == "" {
		return nil, &CheckError{"certificate-not-found", func(l *i18n.Localizer) string { return l.T("error.certificate-not-found") }}
	}
	// Said before the password and PIN are asked: the practice software's
	// rules (a valid NISS and INAMI), and without the profession the request
	// cannot name its attributes.
	niss, problem := checks.NISS(o.Provider)
	if problem != nil {
		return nil, problem
	}
	if _, problem := checks.INAMI(o.Provider); problem != nil {
		return nil, problem
	}
	if problem := checks.Quality(o.Provider); problem != nil {
		return nil, problem
	}
	pw, err := o.Secrets.KeystorePassword(ctx, o.KeystorePath)
	if err != nil {
		return nil, err
	}
	ks, err := cert.Open(o.KeystorePath, pw)
	prompt.Zero(pw)
	if err != nil {
		return nil, err
	}
	id := ks.Identity
	problems := checks.Certificate(id, niss, o.Config.Environment, now)
	if len(problems) > 0 && problems[0].Check == checks.CertificateIdentity {
		return nil, problems[0] // another person's certificate is not recorded
	}
	// Recorded even when expired: the menu can then say so without a password.
	if o.OnKeystore != nil {
		o.OnKeystore(o.KeystorePath, id)
	}
	if len(problems) > 0 {
		return nil, problems[0]
	}
	return ks, nil
}

func (o *Opener) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

// IsCancel reports whether err is the practitioner cancelling a dialog.
func IsCancel(err error) bool { return errkind.Of(err) == errkind.Canceled }
