// Package config loads ehealth-tray's TOML configuration: defaults, validation
// with file:line:key messages, and the OS paths for config and state.
//
// A missing file is not an error: the defaults apply. A file with a typo never
// stops the app: each problem is reported as an Issue and the defaults apply for
// the keys concerned.
package config

import (
	"encoding"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
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
	URL       string   `toml:"url"`
	Signature string   `toml:"signature"`
	Timeout   Duration `toml:"timeout"`
	CAFile    string   `toml:"ca_file"`
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

// Duration is a time.Duration written as "15m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return &valueError{fmt.Sprintf("not a duration (e.g. \"15m\", \"24h\"): %q", string(b))}
	}
	if v <= 0 {
		return &valueError{fmt.Sprintf("must be positive: %q", string(b))}
	}
	d.Duration = v
	return nil
}

// valueError is a plain message about a value that has the right type but
// not a usable content.
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default returns the configuration used when no file (or no key) says otherwise.
func Default() Config {
	return Config{
		Environment: Production,
		KeystoreDir: defaultKeystoreDir(),
		STS: STS{
			Signature: "rsa-sha256",
			Timeout:   Duration{30 * time.Second},
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

// Issue is one problem found in the file, with its position.
type Issue struct {
	File string
	Line int // 0 when unknown
	Key  string
	Msg  string
}

func (i Issue) String() string {
	pos := i.File
	if i.Line > 0 {
		pos = fmt.Sprintf("%s:%d", i.File, i.Line)
	}
	if i.Key != "" {
		return fmt.Sprintf("%s: %s: %s", pos, i.Key, i.Msg)
	}
	return fmt.Sprintf("%s: %s", pos, i.Msg)
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

// Load reads the file at path over the defaults. A missing file gives the
// defaults and no issue. Problems in the file are returned as issues and never
// stop loading: the keys concerned keep their defaults. The error is non-nil
// only when the file exists but cannot be read at all.
func Load(path string) (Config, []Issue, error) {
	cfg := Default()
	cfg.Path = path
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		cfg.Path = ""
		return cfg, nil, nil
	}
	if err != nil {
		return cfg, nil, fmt.Errorf("read config: %w", err)
	}
	cfg, issues := Parse(path, data)
	return cfg, issues, nil
}

// Parse decodes TOML text over the defaults. name is used in messages.
//
// Decoding goes key by key (through toml.Primitive), so a bad value costs only
// its own key, which keeps its default, and every problem is reported with
// its line and key.
func Parse(name string, data []byte) (Config, []Issue) {
	cfg := Default()
	var issues []Issue
	d := decoder{file: name, lines: keyLines(data)}
	var root map[string]toml.Primitive
	var err error
	d.md, err = toml.Decode(string(data), &root)
	if err != nil {
		issues = append(issues, parseIssue(name, err))
	} else {
		d.table(root, reflect.ValueOf(&cfg).Elem(), "")
		issues = append(issues, d.issues...)
	}
	cfg.Path = name
	cfg.applyDefaultsForEmpty()
	issues = append(issues, cfg.validate(d.lines)...)
	return cfg, issues
}

func parseIssue(name string, err error) Issue {
	var perr toml.ParseError
	if !errors.As(err, &perr) {
		return Issue{File: name, Msg: err.Error()}
	}
	return Issue{File: name, Line: perr.Position.Line, Key: perr.LastKey, Msg: strings.TrimSpace(perr.Message)}
}

// decoder walks the TOML document against the Config struct by toml tags.
type decoder struct {
	file   string
	md     toml.MetaData
	lines  map[string]int
	issues []Issue
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *decoder) issue(key, msg string) {
	d.issues = append(d.issues, Issue{File: d.file, Line: d.lines[key], Key: key, Msg: msg})
}

// keyLines maps each key to the line it is written on, for messages. Keys
// inside the n-th [[table]] are written "table[n].key". The TOML library does
// not expose positions, and this simple scan covers how config files are
// written (dotted and inline-table keys get line 0).
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	counts := map[string]int{}
	prefix := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "[["):
			name := strings.TrimSpace(strings.Trim(strings.SplitN(l, "]]", 2)[0], "[ "))
			prefix = fmt.Sprintf("%s[%d]", name, counts[name])
			counts[name]++
			lines[prefix] = i + 1
		case strings.HasPrefix(l, "["):
			prefix = strings.TrimSpace(strings.Trim(strings.SplitN(l, "]", 2)[0], "[ "))
			lines[prefix] = i + 1
		default:
			k, _, ok := strings.Cut(l, "=")
			k = strings.Trim(strings.TrimSpace(k), `"'`)
			if !ok || k == "" || strings.HasPrefix(k, "#") {
				continue
			}
			if prefix != "" {
				k = prefix + "." + k
			}
			if _, seen := lines[k]; !seen {
				lines[k] = i + 1
			}
		}
	}
	return lines
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// table decodes the keys of one TOML table into the struct v.
func (d *decoder) table(keys map[string]toml.Primitive, v reflect.Value, path string) {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		key := join(path, k)
		f, ok := fieldByTag(v, k)
		if !ok {
			d.issue(key, "unknown key")
			continue
		}
		d.value(keys[k], f, key)
	}
}

func (d *decoder) value(p toml.Primitive, f reflect.Value, key string) {
	isText := reflect.PointerTo(f.Type()).Implements(textUnmarshaler)
	switch {
	case f.Kind() == reflect.Struct && !isText:
		var sub map[string]toml.Primitive
		if err := d.md.PrimitiveDecode(p, &sub); err != nil {
			d.issue(key, "must be a table")
			return
		}
		d.table(sub, f, key)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
		var elems []map[string]toml.Primitive
		if err := d.md.PrimitiveDecode(p, &elems); err != nil {
			d.issue(key, "must be an array of tables ([["+key+"]])")
			return
		}
		out := reflect.MakeSlice(f.Type(), len(elems), len(elems))
		for i, e := range elems {
			d.table(e, out.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		f.Set(out)
	default:
		tmp := reflect.New(f.Type())
		if err := d.md.PrimitiveDecode(p, tmp.Interface()); err != nil {
			d.issue(key, typeMessage(err, f.Type()))
			return
		}
		f.Set(tmp.Elem())
	}
}

// typeMessage says what the key needed. Our own UnmarshalText messages are
// already plain; the library's type errors are replaced by the expected type.
func typeMessage(err error, t reflect.Type) string {
	var ours *valueError
	if errors.As(err, &ours) {
		return ours.msg
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string (in quotes)"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int64:
		return "must be a whole number"
	case reflect.Slice:
		return "must be a list, e.g. [90, 30, 14, 7, 1]"
	}
	return "wrong type"
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("toml"), ",")[0]
		if tag == name && tag != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// applyDefaultsForEmpty fills keys that are present but empty and have a
// meaningful default.
func (c *Config) applyDefaultsForEmpty() {
	d := Default()
	if c.Environment == "" {
		c.Environment = d.Environment
	}
	if c.KeystoreDir == "" {
		c.KeystoreDir = d.KeystoreDir
	}
	if c.STS.Signature == "" {
		c.STS.Signature = d.STS.Signature
	}
	if c.EID.TokenLabel == "" {
		c.EID.TokenLabel = d.EID.TokenLabel
	}
	if c.EID.KeyLabel == "" {
		c.EID.KeyLabel = d.EID.KeyLabel
	}
	if c.Reminders.DaysBefore == nil {
		c.Reminders.DaysBefore = d.Reminders.DaysBefore
	}
	if c.STS.Timeout.Duration == 0 {
		c.STS.Timeout = d.STS.Timeout
	}
	if c.Session.Validity.Duration == 0 {
		c.Session.Validity = d.Session.Validity
	}
	if c.Session.CheckInterval.Duration == 0 {
		c.Session.CheckInterval = d.Session.CheckInterval
	}
	if c.Session.WarnBeforeEnd.Duration == 0 {
		c.Session.WarnBeforeEnd = d.Session.WarnBeforeEnd
	}
}

// validate checks values that decode fine but make no sense; each bad value is
// reported and replaced by its default.
func (c *Config) validate(lines map[string]int) []Issue {
	d := Default()
	var out []Issue
	bad := func(key, msg string) { out = append(out, Issue{File: c.Path, Line: lines[key], Key: key, Msg: msg}) }
	switch c.Environment {
	case Production, Acceptance:
	default:
		bad("environment", fmt.Sprintf("must be %q or %q, not %q; using %q", Production, Acceptance, c.Environment, d.Environment))
		c.Environment = d.Environment
	}
	switch c.STS.Signature {
	case "rsa-sha256", "rsa-sha1":
	default:
		bad("sts.signature", fmt.Sprintf("must be \"rsa-sha256\" or \"rsa-sha1\", not %q; using %q", c.STS.Signature, d.STS.Signature))
		c.STS.Signature = d.STS.Signature
	}
	switch c.Language {
	case "", "fr", "nl", "en", "de":
	default:
		bad("language", fmt.Sprintf("must be fr, nl, en, de or empty, not %q; using the OS locale", c.Language))
		c.Language = ""
	}
	for i, p := range c.Providers {
		if p.Quality == "" {
			continue
		}
		if !contains(Qualities, p.Quality) {
			bad(fmt.Sprintf("provider[%d].quality", i), fmt.Sprintf("must be one of %s, not %q", strings.Join(Qualities, ", "), p.Quality))
			c.Providers[i].Quality = ""
		}
	}
	for _, n := range c.Reminders.DaysBefore {
		if n < 0 {
			bad("reminders.days_before", fmt.Sprintf("days must not be negative (%d); using %v", n, d.Reminders.DaysBefore))
			c.Reminders.DaysBefore = d.Reminders.DaysBefore
			break
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// STSURL is the STS endpoint to use: the configured URL, else the
// environment's endpoint.
func (c *Config) STSURL() string {
	if c.STS.URL != "" {
		return c.STS.URL
	}
	return stsEndpoints[c.Environment]
}

// KeystoreDirPath is keystore_dir with ~ and %USERPROFILE% expanded.
func (c *Config) KeystoreDirPath() string { return ExpandHome(c.KeystoreDir) }

// ExpandHome expands a leading ~ and %USERPROFILE%.
func ExpandHome(p string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		return filepath.Join(home, p[2:])
	}
	if strings.HasPrefix(strings.ToUpper(p), "%USERPROFILE%") {
		return filepath.Join(home, strings.TrimLeft(p[len("%USERPROFILE%"):], `\/`))
	}
	return p
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
