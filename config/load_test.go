package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
)

func issueFor(issues []Issue, key string) (Issue, bool) {
	for _, i := range issues {
		if i.Key == key {
			return i, true
		}
	}
	return Issue{}, false
}

func TestExplicitConfigMustExist(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.toml")
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	cfg, _, err := LoadFlag(missing)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path != missing || errkind.Of(err) != "config-not-found" {
		t.Fatalf("err = %v (kind %q)", err, errkind.Of(err))
	}
	if fr := nf.Localize(i18n.New("fr")); !strings.Contains(fr, missing) || !strings.Contains(fr, "n'existe pas") {
		t.Errorf("the message must name the file: %q", nf.Localize(i18n.New("fr")))
	}
	if cfg.Environment != Production {
		t.Errorf("defaults expected with the error: %+v", cfg)
	}
	// Named by the variable: the same.
	t.Setenv("EHEALTH_TRAY_CONFIG", missing)
	if _, _, err := LoadFlag(""); errkind.Of(err) != "config-not-found" {
		t.Fatalf("env: %v", err)
	}
	// The default path, missing: defaults, no issue, no error.
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, issues, err := LoadFlag(""); err != nil || len(issues) != 0 {
		t.Fatalf("default path: %v %v", err, issues)
	}
}

func TestSyntaxErrorCostsOnlyItsLine(t *testing.T) {
	in := `environment = "acceptance"
keystore_dir = = 3
language = "nl"

[[provider]]
name = "A"
niss = "75031712390"
quality = "doctor
inami = "5/38861/71/521"

[sts
timeout = "10s"
`
	cfg, issues := Parse("c.toml", []byte(in))
	lines := map[int]bool{}
	for _, i := range issues[:3] {
		lines[i.Line] = true
		if i.ID != "settings.syntax" || i.Detail == "" {
			t.Errorf("issue %+v", i)
		}
		if !strings.HasPrefix(i.String(), "c.toml:") {
			t.Errorf("position: %q", i.String())
		}
	}
	if !lines[2] || !lines[8] || !lines[11] || len(issues) != 4 {
		t.Fatalf("issues %v, want lines 2, 8 and 11", issues)
	}
	// Without its [sts] header, timeout lands in the provider: said too.
	if i := issues[3]; i.Line != 12 || i.ID != "settings.unknown-key" {
		t.Errorf("issue %+v", i)
	}
	if cfg.Environment != Acceptance || cfg.Language != "nl" {
		t.Errorf("keys around the bad line lost: %+v", cfg)
	}
	if len(cfg.Providers) != 1 || cfg.Providers[0].NISS != "75031712390" || cfg.Providers[0].INAMI != "5/38861/71/521" {
		t.Errorf("the provider below the typo must count: %+v", cfg.Providers)
	}
}

func TestHopelessFileIsGivenUpWithinBounds(t *testing.T) {
	in := strings.Repeat("= nope\n", 100)
	cfg, issues := Parse("c.toml", []byte(in))
	if len(issues) != maxDropped+2 || issues[len(issues)-1].ID != "settings.given-up" {
		t.Fatalf("%d issues, last %+v", len(issues), issues[len(issues)-1])
	}
	if cfg.Environment != Production {
		t.Errorf("defaults expected")
	}
}

// TestLargeHostileFileIsGivenUpSooner: each try decodes the whole file
// again, so a near-MaxSize file gets fewer tries than a small one.
func TestLargeHostileFileIsGivenUpSooner(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < MaxSize/2; i++ {
		fmt.Fprintf(&b, "[[provider]]\nname = \"n%d\"\n", i)
	}
	b.WriteString(strings.Repeat("= bad\n", 20))
	_, issues := Parse("c.toml", []byte(b.String()))
	if n := len(issues); n > decodeBudget/(MaxSize/2)+1 || issues[n-1].ID != "settings.given-up" {
		t.Fatalf("%d issues, last %+v", n, issues[n-1])
	}
}

func TestWindowsPathInDoubleQuotesSaysSingleQuotes(t *testing.T) {
	in := "keystore_dir = \"C:\\Users\\kine\\ehealth\"\nlanguage = \"fr\"\n"
	cfg, issues := Parse("c.toml", []byte(in))
	if len(issues) != 1 || issues[0].ID != "settings.windows-path" || issues[0].Line != 1 {
		t.Fatalf("issues %+v", issues)
	}
	if !strings.Contains(issues[0].Msg, `single quotes ('C:\Users\…')`) {
		t.Errorf("message %q", issues[0].Msg)
	}
	if cfg.Language != "fr" {
		t.Errorf("the next line must still count")
	}
	// Valid TOML, but with a tab and a newline in it: said the same way.
	cfg, issues = Parse("c.toml", []byte("[sts]\nca_file = \"C:\\temp\\new\\ca.pem\"\n"))
	if len(issues) != 1 || issues[0].ID != "settings.windows-path" || issues[0].Key != "sts.ca_file" || cfg.STS.CAFile != "" {
		t.Fatalf("issues %+v", issues)
	}
	// Written as the message says, it works.
	cfg, issues = Parse("c.toml", []byte("keystore_dir = 'C:\\Users\\kine\\ehealth'\n"))
	if len(issues) != 0 || cfg.KeystoreDir != `C:\Users\kine\ehealth` {
		t.Fatalf("%v %q", issues, cfg.KeystoreDir)
	}
}

func TestExampleWritesEveryPathInSingleQuotes(t *testing.T) {
	data, err := os.ReadFile("../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{"keystore_dir": true, "keystore": true, "ca_file": true, "trust": true, "module": true}
	seen := 0
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(l, "#") || !paths[strings.TrimSpace(k)] {
			continue
		}
		seen++
		if v = strings.TrimSpace(v); !strings.HasPrefix(v, "'") {
			t.Errorf("path in double quotes: %s", l)
		}
	}
	if seen != len(paths) {
		t.Fatalf("found %d of %d path settings", seen, len(paths))
	}
}

func TestDurationMessageGivesAnExample(t *testing.T) {
	_, issues := Parse("c.toml", []byte("[sts]\ntimeout = \"30\"\n"))
	i, ok := issueFor(issues, "sts.timeout")
	if !ok || i.Line != 2 || !strings.Contains(i.String(), `c.toml:2: sts.timeout: not a duration (for example "30s")`) {
		t.Fatalf("issues %v", issues)
	}
}

func TestIssuesAreTranslated(t *testing.T) {
	_, issues := Parse("c.toml", []byte("langauge = \"nl\"\n[sts]\ntimeout = \"30\"\n"))
	if len(issues) != 2 {
		t.Fatalf("%v", issues)
	}
	for _, i := range issues {
		fr := i.Message(i18n.New("fr"))
		if fr == "" || fr == i.Msg {
			t.Errorf("%s: not translated: %q", i.Key, fr)
		}
		if got := i.Localize(i18n.New("nl")); !strings.HasPrefix(got, "c.toml:") || !strings.Contains(got, i.Key) {
			t.Errorf("position lost: %q", got)
		}
	}
}

func TestDeepNestingIsRefusedBeforeDecoding(t *testing.T) {
	deep := "x = " + strings.Repeat("{a = ", 10000) + "1" + strings.Repeat("}", 10000)
	arrays := "y = " + strings.Repeat("[", 40) + strings.Repeat("]", 40)
	ok := "z = [[1, 2], {a = [\"[[[[\"]}]"
	in := "language = \"de\"\n" + deep + "\n" + arrays + "\n# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n" + ok + "\n[[provider]]\nname = \"A\"\n"
	cfg, issues := Parse("c.toml", []byte(in))
	var deepLines []int
	for _, i := range issues {
		if i.ID == "settings.too-deep" {
			deepLines = append(deepLines, i.Line)
		}
	}
	if len(deepLines) != 2 || deepLines[0] != 2 || deepLines[1] != 3 {
		t.Fatalf("issues %v", issues)
	}
	if cfg.Language != "de" || len(cfg.Providers) != 1 {
		t.Errorf("the rest of the file must count: %+v", cfg)
	}
}

func TestDepthScannerSkipsStringsAndComments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`a = "` + strings.Repeat("[", 50) + `"`, 0},
		{`a = '` + strings.Repeat("{", 50) + `'`, 0},
		{"a = \"\"\"\n" + strings.Repeat("[", 50) + "\n\"\"\"", 0},
		{"a = '''\n" + strings.Repeat("[", 50) + "\n'''", 0},
		{`a = "\"` + strings.Repeat("[", 50) + `"`, 0},
		{"a = [\n" + strings.Repeat("[", 32) + "\n", 2},
		{strings.Repeat("[", 32), 0},
		// Up to two more quotes close a multi-line string (`a"`, `a""`): the
		// nesting after them is seen, not taken for string content.
		{`x = [ """a"""", ` + strings.Repeat("{a=", 40), 1},
		{"x = [ '''a''''', " + strings.Repeat("{a=", 40), 1},
	} {
		if got := deepLine(strings.Split(tc.in, "\n"), maxDepth); got != tc.want {
			t.Errorf("%.40q: line %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestIntervalClampedAndDaysBounded(t *testing.T) {
	in := "[session]\ncheck_interval = \"1ns\"\n[reminders]\ndays_before = [30, 9223372036854775807]\n"
	cfg, issues := Parse("c.toml", []byte(in))
	if cfg.Session.CheckInterval.Duration != time.Minute {
		t.Errorf("interval %v", cfg.Session.CheckInterval)
	}
	if i, ok := issueFor(issues, "session.check_interval"); !ok || i.Line != 2 || i.ID != "settings.interval-clamped" {
		t.Errorf("interval issue: %v", issues)
	}
	if i, ok := issueFor(issues, "reminders.days_before"); !ok || i.Line != 4 || !strings.Contains(i.Msg, "9223372036854775807") {
		t.Errorf("days issue: %v", issues)
	}
	if len(cfg.Reminders.DaysBefore) != 5 || cfg.Reminders.DaysBefore[0] != 90 {
		t.Errorf("days %v", cfg.Reminders.DaysBefore)
	}
	cfg, issues = Parse("c.toml", []byte("[reminders]\ndays_before = [3650, 0]\n"))
	if len(issues) != 0 || cfg.Reminders.DaysBefore[0] != 3650 {
		t.Errorf("bounds are allowed: %v %v", issues, cfg.Reminders.DaysBefore)
	}
}

func TestControlCharactersNeverPassRaw(t *testing.T) {
	in := "[[provider]]\nname = \"\\u001b]0;pwned\\u0007Vincent\"\ninami = \"\u202e125/17/16883/5\"\n\"\\u001b[2J\" = 1\nniss = \"75031712390\"\n"
	cfg, issues := Parse("c.toml", []byte(in))
	p := cfg.Providers[0]
	if p.Name != "" || p.INAMI != "" || p.NISS != "75031712390" {
		t.Fatalf("provider %+v", p)
	}
	if len(issues) != 3 {
		t.Fatalf("issues %v", issues)
	}
	for _, i := range issues {
		if hasControl(i.String()) || hasControl(i.Localize(i18n.New("fr"))) {
			t.Errorf("control character in %q", i.String())
		}
	}
	if i, ok := issueFor(issues, "provider[0].name"); !ok || i.Line != 2 || i.ID != "settings.control" {
		t.Errorf("name issue: %v", issues)
	}
}

func TestExpandPath(t *testing.T) {
	t.Setenv("HOME", "/home/kine")
	t.Setenv("USERPROFILE", "")
	os.Unsetenv("USERPROFILE")
	t.Setenv("EHT_DATA", "/srv/data")
	for in, want := range map[string]string{
		"~":                          "/home/kine",
		"~/ehealth/keystore":         "/home/kine/ehealth/keystore",
		" ~/x ":                      "/home/kine/x",
		"%EHT_DATA%/ca.pem":          "/srv/data/ca.pem",
		"%USERPROFILE%/ehealth":      "/home/kine/ehealth",
		"%NOT_SET_EHT%/x":            "%NOT_SET_EHT%/x",
		"100%%EHT_DATA%":             "100%/srv/data",
		"/a/%EHT_DATA%/%EHT_DATA%/b": "/a//srv/data//srv/data/b",
		"libbeidpkcs11.so.0":         "libbeidpkcs11.so.0",
		"":                           "",
	} {
		if got := ExpandPath(in); got != want {
			t.Errorf("ExpandPath(%q) = %q, want %q", in, got, want)
		}
	}
	in := "keystore_dir = '%EHT_DATA%/ks'\n[[provider]]\nkeystore = '~/k.p12'\n[sts]\nca_file = '%EHT_DATA%/ca.pem'\ntrust = '~/trust.pem'\n[eid]\nmodule = '%EHT_DATA%/beid.so'\n"
	cfg, issues := Parse("c.toml", []byte(in))
	if len(issues) != 0 {
		t.Fatal(issues)
	}
	for got, want := range map[string]string{
		cfg.KeystoreDirPath():           "/srv/data/ks",
		cfg.Providers[0].KeystorePath(): "/home/kine/k.p12",
		cfg.CAFilePath():                "/srv/data/ca.pem",
		cfg.TrustPath():                 "/home/kine/trust.pem",
		cfg.ModulePath():                "/srv/data/beid.so",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestIssueJSON: the CLI's "warnings" entries are issues as they are.
func TestIssueJSON(t *testing.T) {
	_, issues := Parse("c.toml", []byte("[sts]\ntimeout = \"30\"\n"))
	b, err := json.Marshal(issues[0])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"file": "c.toml", "line": 2.0, "key": "sts.timeout", "message": `not a duration (for example "30s"): "30"`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s", b)
	}
}
