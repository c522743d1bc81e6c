package setup

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/textsafe"
)

// Plan is what the configuration file will say.
type Plan struct {
	Name        string // the practitioner's name, shown in the menu
	NISS        string
	INAMI       string
	Quality     string // one of config.Qualities
	Environment string // config.Production or config.Acceptance
	// KeystoreDir is the keystore folder as it should be written (~ and
	// %USERPROFILE% kept, so that the file stays valid for the same user);
	// "" writes the default folder.
	KeystoreDir string
	// Keystore is the keystore that proved the password. The file does not
	// name it: the newest keystore of the NISS is used, so a renewal needs no
	// edit.
	Keystore string
}

// Check validates the plan and normalizes the NISS and INAMI to digits. Its
// errors have kinds "invalid-niss", "invalid-inami" and "invalid-quality".
func (p *Plan) Check() error {
	niss, err := cert.ParseNISS(p.NISS)
	if err != nil {
		return &Error{kind: KindInvalidNISS, id: "setup.invalid-niss", data: map[string]any{"Value": p.NISS}, err: err}
	}
	if err := CheckQuality(p.Quality); err != nil {
		return err
	}
	inami, err := CheckINAMI(p.INAMI)
	if err != nil {
		return err
	}
	switch p.Environment {
	case config.Production, config.Acceptance:
	default:
		return &Error{kind: KindInvalidEnvironment, id: "setup.invalid-environment", data: map[string]any{"Value": p.Environment}}
	}
	p.NISS, p.INAMI = string(niss), string(inami)
	// A name is one line of plain text: the settings loader refuses control
	// characters, so a certificate's or a typed name must not bring any.
	p.Name = strings.Join(strings.Fields(textsafe.Strip(p.Name)), " ")
	return nil
}

// CheckQuality refuses a profession the app does not know, listing those it does.
func CheckQuality(q string) error {
	if slices.Contains(config.Qualities, q) {
		return nil
	}
	return &Error{kind: KindInvalidQuality, id: "setup.invalid-quality",
		data: map[string]any{"Value": q, "Valid": strings.Join(config.Qualities, ", ")}}
}

// CheckINAMI validates an INAMI number (its check digits) and returns its
// digits.
func CheckINAMI(s string) (cert.INAMI, error) {
	n, err := cert.ParseINAMI(s)
	if err != nil {
		return "", &Error{kind: KindInvalidINAMI, id: "setup.invalid-inami", data: map[string]any{"Value": s}, err: err}
	}
	return n, nil
}

// Exists reports an error of kind "config-exists" when anything (a file, a
// folder, a symlink) is at path: setup never touches an existing config.
func Exists(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return &Error{kind: KindConfigExists, id: "setup.config-exists", data: map[string]any{"Path": path}}
}

// Write checks p and writes its configuration file at path, creating the
// folder if needed. The file is created exclusively with mode 0600: when
// anything exists at path, even a dangling symlink, nothing is written and
// the error has kind "config-exists".
func Write(path string, p Plan) error {
	if err := p.Check(); err != nil {
		return err
	}
	data := Render(p)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return writeError(path, err)
	}
	// O_EXCL fails on any existing name, a symlink included, without following it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Exists(path)
	}
	if err != nil {
		return writeError(path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Ours, and incomplete: a half config would be worse than none.
		_ = os.Remove(path)
		return writeError(path, err)
	}
	return nil
}

func writeError(path string, err error) error {
	return &Error{kind: KindWriteFailed, id: "setup.write-failed", data: map[string]any{"Path": path}, err: err}
}

// Render returns the configuration file of p, commented like
// config.toml.example, with paths in single quotes.
func Render(p Plan) []byte {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("# ehealth-tray configuration, written by `ehealth-tray setup`.")
	line("#")
	line("# Every key is optional: a missing key keeps its default. config.toml.example")
	line("# shows every key with its meaning; [sts], [eid], [session], [reminders] and")
	line("# [prompt] keep their defaults here. A path is written in single quotes, so that")
	line("# a Windows path needs no doubled backslashes.")
	line("")
	line("# \"production\" or \"acceptance\": which eHealth platform to talk to. A keystore")
	line("# issued for the other environment is refused by the checks.")
	line("environment = %s", basicString(p.Environment))
	line("")
	line("# Folder holding the eHealth keystores (\"SSIN=<niss> <yyyyMMdd-HHmmss>.p12\").")
	line("# ehealth-tray only ever reads this folder; it never writes, moves or deletes in it.")
	line("keystore_dir = %s", pathString(cmp.Or(p.KeystoreDir, config.Default().KeystoreDir)))
	line("")
	line("# Language of the menus and messages: \"fr\", \"nl\", \"en\" or \"de\".")
	line("# Empty = from the OS locale, else English.")
	line("language = \"\"")
	line("")
	line("# One [[provider]] table per practitioner using this machine.")
	line("[[provider]]")
	line("# Shown in the menu.")
	line("name = %s", basicString(p.Name))
	line("# NISS / INSZ (national number), 11 digits.")
	line("niss = %s", basicString(p.NISS))
	line("# INAMI / RIZIV number. Compared with the number the eHealth STS returns.")
	line("inami = %s", basicString(p.INAMI))
	line("# doctor | physiotherapist | nurse | dentist | midwife: which certified")
	line("# attributes the session asks for.")
	line("quality = %s", basicString(p.Quality))
	line("# A specific keystore file. Empty = the newest SSIN=<niss>* file in keystore_dir,")
	line("# so that a renewed certificate is used without editing this file.")
	line("keystore = ''")
	line("# With several providers, exactly one has selected = true.")
	line("selected = true")
	return []byte(b.String())
}

// basicString writes s as a TOML basic string ("…"), escaping what TOML
// requires: quotes, backslashes and control characters.
func basicString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// pathString writes a path as a TOML literal string ('…'), in which
// backslashes are plain characters, so that Windows paths need no escaping.
// A path a literal string cannot hold (a quote, a control character) is
// written as a basic string.
func pathString(p string) string {
	if strings.ContainsFunc(p, func(r rune) bool { return r == '\'' || r < 0x20 || r == 0x7f }) {
		return basicString(p)
	}
	return "'" + p + "'"
}
