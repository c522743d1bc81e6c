// Package config loads ehealth-tray's TOML configuration: defaults, validation
// with file:line:key messages, and the OS paths for config and state.
//
// A missing file at the default path is not an error: the defaults apply. A
// file with a typo never stops the app: each problem is reported as an Issue
// (file, line, key, message) and the defaults apply for the keys concerned; a
// line that is not valid TOML costs only that line. Values with control
// characters are refused at load (an Issue), so none reaches a terminal or a
// notification.
package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/safefile"
)

// Environments of the eHealth platform.
const (
	Production = "production"
	Acceptance = "acceptance"
)

// STS endpoints per environment (ehealth-protocol.md §1).
var stsEndpoints = map[string]string{
	Production: "https://services.ehealth.fgov.be/IAM/Saml11TokenService/v1",
	Acceptance: "https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1",
}

// Qualities (professions) the app knows the STS designators of.
var Qualities = []string{"doctor", "physiotherapist", "nurse", "dentist", "midwife"}

// Config is the whole configuration file.
type Config struct {
	Environment string     `toml:"environment"`
	KeystoreDir string     `toml:"keystore_dir"`
	Language    string     `toml:"language"`
	Providers   []Provider `toml:"provider"`
	STS         STS        `toml:"sts"`
	EID         EID        `toml:"eid"`
	Session     Session    `toml:"session"`
	Reminders   Reminders  `toml:"reminders"`
	Prompt      Prompt     `toml:"prompt"`
	ETK         ETK        `toml:"etk"`

	// Path is the file the config was read from ("" when defaults only).
	Path string `toml:"-"`
}

// Provider is one practitioner using this machine.
type Provider struct {
	Name     string `toml:"name"`
	NISS     string `toml:"niss"`
	INAMI    string `toml:"inami"`
	Quality  string `toml:"quality"`
	Keystore string `toml:"keystore"`
	Selected bool   `toml:"selected"`
}

// STS configures the eHealth Security Token Service client.
type STS struct {
	URL       string `toml:"url"`
	Signature string `toml:"signature"`
	// RequestSignature is the algorithm of the inner signature on the
	// samlp:Request (ehealth-protocol.md §3b): every public client uses rsa-sha1.
	RequestSignature string   `toml:"request_signature"`
	Timeout          Duration `toml:"timeout"`
	CAFile           string   `toml:"ca_file"`
	// Trust is a PEM file with the STS signing certificate(s). When set, the
	// signature on returned assertions is verified.
	Trust string `toml:"trust"`
}

// EID configures the Belgian eID over PKCS#11.
type EID struct {
	Module     string `toml:"module"`
	TokenLabel string `toml:"token_label"`
	KeyLabel   string `toml:"key_label"`
}

// Session configures session lifetime and checks.
type Session struct {
	Validity      Duration `toml:"validity"`
	CheckInterval Duration `toml:"check_interval"`
	WarnBeforeEnd Duration `toml:"warn_before_end"`
}

// Reminders configures certificate-expiry reminders.
type Reminders struct {
	DaysBefore []int `toml:"days_before"`
}

// Prompt configures how passwords and PINs are asked.
type Prompt struct {
	Program string `toml:"program"`
}

// ETK configures the eHealth ETK depot (ehealth-protocol.md §11).
type ETK struct {
	URL string `toml:"url"`
}

// Duration is a time.Duration written as "15m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return &valueError{"settings.not-duration", map[string]any{"Value": quote(string(b))}}
	}
	if v <= 0 {
		return &valueError{"settings.not-positive", map[string]any{"Value": quote(string(b))}}
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default returns the configuration used when no file (or no key) says otherwise.
func Default() Config {
	return Config{
		Environment: Production,
		KeystoreDir: defaultKeystoreDir(),
		STS: STS{
			Signature:        "rsa-sha256",
			RequestSignature: "rsa-sha1",
			Timeout:          Duration{30 * time.Second},
		},
		EID: EID{TokenLabel: "BELPIC", KeyLabel: "Authentication"},
		Session: Session{
			Validity:      Duration{24 * time.Hour},
			CheckInterval: Duration{15 * time.Minute},
			WarnBeforeEnd: Duration{10 * time.Minute},
		},
		Reminders: Reminders{DaysBefore: []int{90, 30, 14, 7, 1}},
	}
}

func defaultKeystoreDir() string {
	if runtime.GOOS == "windows" {
		return `%USERPROFILE%\ehealth\keystore`
	}
	return "~/ehealth/keystore"
}

// Path returns the config file to use: the explicit flag value, else
// $EHEALTH_TRAY_CONFIG, else os.UserConfigDir()/ehealth-tray/config.toml.
func Path(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("EHEALTH_TRAY_CONFIG"); env != "" {
		return env
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "config.toml"
	}
	return filepath.Join(dir, "ehealth-tray", "config.toml")
}

// NotFoundError is a config file named explicitly (--config or
// $EHEALTH_TRAY_CONFIG) that does not exist.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string { return "config file not found: " + e.Path }

// Kind is the CLI kind.
func (e *NotFoundError) Kind() string { return "config-not-found" }

// Localize words the error in the language of l (i18n.Localized).
func (e *NotFoundError) Localize(l *i18n.Localizer) string {
	return l.T("settings.not-found", map[string]any{"Path": printable(e.Path)})
}

// ReadError is a config file that exists but cannot be read: not a regular
// file, too large, or refused by the system.
type ReadError struct {
	Path string
	Err  error
}

func (e *ReadError) Error() string { return "read config: " + e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }

// Kind is the cause's kind (not-regular-file, too-large), else "config".
func (e *ReadError) Kind() string {
	if k := errkind.Of(e.Err); k != "" {
		return k
	}
	return "config"
}

// Localize words the error in the language of l (i18n.Localized).
func (e *ReadError) Localize(l *i18n.Localizer) string {
	var tooLarge *safefile.TooLargeError
	switch {
	case safefile.IsNotRegular(e.Err):
		return l.T("settings.not-regular", map[string]any{"Path": printable(e.Path)})
	case errors.As(e.Err, &tooLarge):
		return l.T("settings.too-large", map[string]any{"Path": printable(e.Path), "Max": "1 MiB"})
	}
	return l.T("settings.unreadable", map[string]any{"Path": printable(e.Path)})
}

// Load reads the file at path over the defaults. A missing file gives the
// defaults and no issue: that is how the default path behaves before setup.
// Problems in the file are returned as issues and never stop loading: the
// keys concerned keep their defaults. The error is non-nil only when the file
// exists but cannot be read: not a regular file (a FIFO never blocks), or
// over MaxSize.
func Load(path string) (Config, []Issue, error) { return load(path, false) }

// LoadFlag loads the config the command line names: the --config value
// (flagValue), else $EHEALTH_TRAY_CONFIG, else the default path. A file named
// explicitly by the flag or the variable must exist: a missing one is a
// *NotFoundError (kind config-not-found), never a silent fallback to the
// defaults.
func LoadFlag(flagValue string) (Config, []Issue, error) {
	explicit := flagValue != "" || os.Getenv("EHEALTH_TRAY_CONFIG") != ""
	return load(Path(flagValue), explicit)
}

func load(path string, mustExist bool) (Config, []Issue, error) {
	cfg := Default()
	data, err := safefile.ReadTarget(path, MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		if mustExist {
			return cfg, nil, &NotFoundError{Path: path}
		}
		return cfg, nil, nil
	}
	if err != nil {
		return cfg, nil, &ReadError{Path: path, Err: err}
	}
	cfg, issues := Parse(path, data)
	return cfg, issues, nil
}

// STSURL is the STS endpoint to use: the configured URL, else the
// environment's endpoint.
func (c *Config) STSURL() string {
	if c.STS.URL != "" {
		return c.STS.URL
	}
	return stsEndpoints[c.Environment]
}

// ETK depot endpoints per environment (ehealth-protocol.md §11).
var etkEndpoints = map[string]string{
	Production: "https://services.ehealth.fgov.be/EtkDepot/v1",
	Acceptance: "https://services-acpt.ehealth.fgov.be/EtkDepot/v1",
}

// ETKURL is the ETK depot endpoint to use: the configured URL, else the
// environment's endpoint.
func (c *Config) ETKURL() string {
	if c.ETK.URL != "" {
		return c.ETK.URL
	}
	return etkEndpoints[c.Environment]
}

// SelectedProviders returns the providers marked selected. A single provider
// counts as selected even without the flag.
func (c *Config) SelectedProviders() []Provider {
	if len(c.Providers) == 1 {
		return c.Providers
	}
	var out []Provider
	for _, p := range c.Providers {
		if p.Selected {
			out = append(out, p)
		}
	}
	return out
}

// ProviderByName finds a provider by name, case-insensitively.
func (c *Config) ProviderByName(name string) (Provider, bool) {
	for _, p := range c.Providers {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Provider{}, false
}
