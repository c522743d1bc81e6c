// Package setup writes a first configuration file from what is already on
// the machine: the keystore the eHealth Certificate Manager put in the
// keystore folder gives the NISS and the environment, its password proves it
// and gives the holder's name, and the practitioner adds the profession and
// the INAMI number. The command line (`ehealth-tray setup`) and the tray's
// "Set up ehealth-tray…" item share it.
//
// A configuration that exists is never touched: Write creates the file
// exclusively, with mode 0600, and never follows a symlink.
package setup

import (
	"cmp"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
)

// Candidate is a keystore in the keystore folder that setup can use: the
// newest file of one NISS and environment.
type Candidate struct {
	Path        string
	NISS        string // 11 digits, from the file name
	Environment string // config.Production or config.Acceptance
	Created     time.Time
}

// Candidates lists the newest keystore of each NISS and environment in dir.
// An empty or missing folder gives an error of kind "no-keystore".
func Candidates(dir string) ([]Candidate, error) {
	files, err := cert.Discover(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []Candidate
	for _, f := range files {
		if f.Newest {
			out = append(out, Candidate{Path: f.Path, NISS: f.SSIN, Environment: f.Environment, Created: f.Created})
		}
	}
	if len(out) == 0 {
		return nil, &Error{kind: KindNoKeystore, id: "setup.no-keystore", data: map[string]any{"Dir": dir}, err: err}
	}
	return out, nil
}

// NISSes returns the distinct NISS of the candidates, sorted.
func NISSes(cands []Candidate) []string {
	var out []string
	for _, c := range cands {
		if !slices.Contains(out, c.NISS) {
			out = append(out, c.NISS)
		}
	}
	slices.Sort(out)
	return out
}

// CheckFlags checks the values given on the command line (an empty one is
// asked for later), before anything is looked for: a typo is said first.
func CheckFlags(quality, inami, niss, environment string) error {
	if quality != "" {
		if err := CheckQuality(quality); err != nil {
			return err
		}
	}
	if inami != "" {
		if _, err := CheckINAMI(inami); err != nil {
			return err
		}
	}
	_, err := checkChoice(niss, environment)
	return err
}

// checkChoice checks the NISS and environment that narrow the choice of
// keystore, and returns the NISS as bare digits.
func checkChoice(niss, environment string) (string, error) {
	if niss != "" {
		n, err := cert.ParseNISS(niss)
		if err != nil {
			return "", &Error{kind: KindInvalidNISS, id: "setup.invalid-niss", data: map[string]any{"Value": niss}, err: err}
		}
		niss = string(n)
	}
	switch environment {
	case "", config.Production, config.Acceptance:
		return niss, nil
	}
	return "", &Error{kind: KindInvalidEnvironment, id: "setup.invalid-environment", data: map[string]any{"Value": environment}}
}

// Pick chooses the keystore to set up. niss and environment narrow the
// choice ("" = any). Keystores of several NISS and no niss give a
// *SeveralNISSError naming them all; of one NISS in both environments,
// production wins unless environment says otherwise.
func Pick(cands []Candidate, niss, environment string) (Candidate, error) {
	niss, err := checkChoice(niss, environment)
	if err != nil {
		return Candidate{}, err
	}
	var match []Candidate
	for _, c := range cands {
		if (niss == "" || c.NISS == niss) && (environment == "" || c.Environment == environment) {
			match = append(match, c)
		}
	}
	if len(match) == 0 {
		return Candidate{}, &Error{kind: KindNoKeystore, id: "setup.no-keystore-for", data: map[string]any{"NISS": cert.NISS(niss).Format(), "Environment": environment}}
	}
	if found := NISSes(match); len(found) > 1 {
		return Candidate{}, &SeveralNISSError{NISS: found}
	}
	// Production sorts before acceptance: it is the one a practice uses.
	slices.SortFunc(match, func(a, b Candidate) int {
		return cmp.Compare(envRank(a.Environment), envRank(b.Environment))
	})
	return match[0], nil
}

func envRank(env string) int {
	if env == config.Production {
		return 0
	}
	return 1
}

// Prove opens the candidate's keystore with password: it must open, and
// belong to the NISS in its name. It returns the holder's name.
func Prove(c Candidate, password []byte) (string, error) {
	ks, err := cert.Open(c.Path, password)
	if err != nil {
		return "", err
	}
	if ks.Identity.SSIN != c.NISS {
		return "", &Error{kind: KindIdentityMismatch, id: "setup.identity-mismatch",
			data: map[string]any{"SSIN": cert.NISS(ks.Identity.SSIN).Format(), "NISS": cert.NISS(c.NISS).Format()}}
	}
	return ks.Identity.Holder, nil
}

// Error kinds of this package, as the command line reports them.
const (
	KindConfigExists       = "config-exists"
	KindInvalidINAMI       = "invalid-inami"
	KindInvalidNISS        = "invalid-niss"
	KindInvalidQuality     = "invalid-quality"
	KindInvalidEnvironment = "invalid-environment"
	KindNoKeystore         = "no-keystore"
	KindIdentityMismatch   = "identity-mismatch"
	KindWriteFailed        = "write-failed"
)

// Error is a setup problem that words itself from the catalog (section
// [setup]); Err, when set, is the technical cause, for the log.
type Error struct {
	kind string
	id   string
	data map[string]any
	err  error
}

func (e *Error) Error() string {
	if e.err != nil {
		return e.Localize(nil) + ": " + e.err.Error()
	}
	return e.Localize(nil)
}

// Kind is the CLI kind.
func (e *Error) Kind() string { return e.kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// Localize words the error in l's language (i18n.Localized).
func (e *Error) Localize(l *i18n.Localizer) string { return l.T(e.id, e.data) }

// SeveralNISSError: the keystore folder holds keystores of several people
// and no NISS was given. Its kind is "usage": the command needs --niss.
type SeveralNISSError struct{ NISS []string }

func (e *SeveralNISSError) Error() string { return e.Localize(nil) }

// Kind is the CLI kind.
func (e *SeveralNISSError) Kind() string { return "usage" }

// Localize words the error in l's language (i18n.Localized).
func (e *SeveralNISSError) Localize(l *i18n.Localizer) string {
	formatted := make([]string, len(e.NISS))
	for i, n := range e.NISS {
		formatted[i] = cert.NISS(n).Format()
	}
	return l.T("setup.several-niss", map[string]any{"NISS": strings.Join(formatted, ", ")})
}
