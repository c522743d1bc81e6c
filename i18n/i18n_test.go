package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// catalog reads one embedded message file, by id.
func catalog(t *testing.T, lang string) map[string]*goi18n.Message {
	t.Helper()
	name := "locales/active." + lang + ".toml"
	data, err := locales.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := goi18n.ParseMessageFileBytes(data, name, map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]*goi18n.Message{}
	for _, m := range f.Messages {
		out[m.ID] = m
	}
	return out
}

func forms(m *goi18n.Message) []string {
	return []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other}
}

// placeholders are what a translation must keep: the template values
// ({{.Date}}) and the flag argument names in backquotes (`FILE`).
var placeholderRE = regexp.MustCompile("\\{\\{\\s*\\.(\\w+)\\s*\\}\\}|`[A-Z]+`")

func placeholders(m *goi18n.Message) []string {
	var out []string
	for _, f := range forms(m) {
		out = append(out, placeholderRE.FindAllString(f, -1)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func isPlural(m *goi18n.Message) bool { return m.One != "" }

// TestCatalog: every language has exactly the English messages, with the
// same placeholders, plural forms where English has them, and each renders.
func TestCatalog(t *testing.T) {
	en := catalog(t, "en")
	if len(en) < 100 {
		t.Fatalf("only %d English messages", len(en))
	}
	for _, lang := range Languages {
		msgs := catalog(t, lang)
		l := New(lang)
		for id, want := range en {
			m, ok := msgs[id]
			if !ok {
				t.Errorf("%s: %s missing", lang, id)
				continue
			}
			if got, exp := placeholders(m), placeholders(want); !slices.Equal(got, exp) {
				t.Errorf("%s: %s has %v, English has %v", lang, id, got, exp)
			}
			if isPlural(want) != isPlural(m) || m.Other == "" {
				t.Errorf("%s: %s: one/other forms differ from English (one %q, other %q)", lang, id, m.One, m.Other)
			}
			data := map[string]any{}
			for _, p := range placeholders(want) {
				if v := placeholderRE.FindStringSubmatch(p)[1]; v != "" {
					data[v] = "X"
				}
			}
			var s string
			if isPlural(want) {
				s = l.N(id, 2, data)
			} else {
				s = l.T(id, data)
			}
			if s == id || s == "" || strings.Contains(s, "<no value>") {
				t.Errorf("%s: %s renders as %q", lang, id, s)
			}
		}
		for id := range msgs {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %s is not an English message", lang, id)
			}
		}
	}
}

// sourceDirs hold every user-facing string; their message ids are literals.
var sourceDirs = []string{"../app", "../checks", "../cli", "../config", "../soap", "../sts", "../etk", "../prompt", "../setup", "..", "."}

type use struct {
	id     string
	plural bool // passed to N
	at     string
}

// scanSources returns every string literal in the non-test Go files of
// sourceDirs, and the literal ids passed to T and N.
func scanSources(t *testing.T) (map[string]bool, []use) {
	t.Helper()
	lits := map[string]bool{}
	var uses []use
	fset := token.NewFileSet()
	for _, dir := range sourceDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING {
						lits[s] = true
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok || len(n.Args) == 0 || (sel.Sel.Name != "T" && sel.Sel.Name != "N") {
						return true
					}
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						id, _ := strconv.Unquote(lit.Value)
						uses = append(uses, use{id, sel.Sel.Name == "N", fset.Position(n.Pos()).String()})
					}
				}
				return true
			})
		}
	}
	return lits, uses
}

// TestEveryMessageUsedAndDefined: each English message appears as a literal
// in the code, each literal that looks like a message id (a catalog section,
// a dot, a name) is in the catalog, and T and N get the right kind.
func TestEveryMessageUsedAndDefined(t *testing.T) {
	en := catalog(t, "en")
	lits, uses := scanSources(t)
	if len(uses) < 100 {
		t.Fatalf("found only %d T/N calls: is the scan broken?", len(uses))
	}
	sections := map[string]bool{}
	for id := range en {
		sections[strings.SplitN(id, ".", 2)[0]] = true
		if !lits[id] {
			t.Errorf("%s is not used", id)
		}
	}
	idRE := regexp.MustCompile(`^([a-z]+)\.[a-z0-9-]+(\.[a-z0-9-]+)*$`)
	for s := range lits {
		if m := idRE.FindStringSubmatch(s); m != nil && sections[m[1]] && en[s] == nil {
			t.Errorf("%q is used but not in the catalog", s)
		}
	}
	for _, u := range uses {
		m := en[u.id]
		switch {
		case m == nil:
			t.Errorf("%s: %q is not in the catalog", u.at, u.id)
		case u.plural != isPlural(m):
			t.Errorf("%s: %q is plural=%v but called with N=%v", u.at, u.id, isPlural(m), u.plural)
		}
	}
}

func TestPlurals(t *testing.T) {
	for _, tc := range []struct {
		lang      string
		one, many string
		zero      string
	}{
		{"fr", "1 jour", "7 jours", "0 jour"}, // French counts 0 as singular
		{"nl", "1 dag", "7 dagen", "0 dagen"},
		{"de", "1 Tag", "7 Tage", "0 Tage"},
		{"en", "1 day", "7 days", "0 days"},
	} {
		l := New(tc.lang)
		if got := l.N("unit.days", 1); got != tc.one {
			t.Errorf("%s: 1 → %q, want %q", tc.lang, got, tc.one)
		}
		if got := l.N("unit.days", 7); got != tc.many {
			t.Errorf("%s: 7 → %q, want %q", tc.lang, got, tc.many)
		}
		if got := l.N("unit.days", 0); got != tc.zero {
			t.Errorf("%s: 0 → %q, want %q", tc.lang, got, tc.zero)
		}
	}
	// The German reminder needs the dative: "in 7 Tagen", "in 1 Tag".
	de := New("de")
	if got := de.N("notify.cert-expires", 7); !strings.Contains(got, "in 7 Tagen ab") {
		t.Errorf("de: %q", got)
	}
	if got := de.N("notify.cert-expires", 1); !strings.Contains(got, "in 1 Tag ab") {
		t.Errorf("de: %q", got)
	}
}

func TestDatesAndTimes(t *testing.T) {
	at := time.Date(2026, 11, 28, 17, 42, 0, 0, time.Local)
	for lang, want := range map[string]string{
		"fr": "28/11/2026 17:42",
		"nl": "28/11/2026 17:42",
		"de": "28.11.2026 17:42",
		"en": "2026-11-28 17:42",
	} {
		l := New(lang)
		if got := l.DateTime(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
		if got := l.Time(at); got != "17:42" {
			t.Errorf("%s: time %q", lang, got)
		}
	}
	// Dates go into messages as they are formatted.
	if got := New("fr").T("menu.cert-expired", map[string]any{"Date": New("fr").Date(at)}); got != "Certificat expiré le 28/11/2026" {
		t.Errorf("%q", got)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		configured, lcAll, lcMessages, lang string
		want                                string
	}{
		{"nl", "fr_BE.UTF-8", "", "de_BE.UTF-8", "nl"},      // the config wins
		{"", "fr_BE.UTF-8", "", "nl_BE.UTF-8", "fr"},        // LC_ALL before LANG
		{"", "", "de_BE.UTF-8", "nl_BE.UTF-8", "de"},        // LC_MESSAGES before LANG
		{"", "", "", "nl_BE.UTF-8", "nl"},                   // LANG
		{"", "", "", "de_BE@euro", "de"},                    // a modifier
		{"", "", "", "C.UTF-8", "en"},                       // C is English
		{"", "POSIX", "", "fr_BE.UTF-8", "en"},              // POSIX too, and it decides
		{"", "es_ES.UTF-8", "", "fr_BE.UTF-8", "en"},        // untranslated: English
		{"klingon", "", "", "fr_BE.UTF-8", "fr"},            // a bad config value is ignored
		{"", "", "", "", or(parseLocale(osLocale()), "en")}, // nothing set: the OS, else English
	} {
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_MESSAGES", tc.lcMessages)
		t.Setenv("LANG", tc.lang)
		if got := Detect(tc.configured); got != tc.want {
			t.Errorf("Detect(%q) with LC_ALL=%q LC_MESSAGES=%q LANG=%q = %q, want %q",
				tc.configured, tc.lcAll, tc.lcMessages, tc.lang, got, tc.want)
		}
	}
}

func TestNilLocalizerIsEnglish(t *testing.T) {
	var l *Localizer
	if l.Lang() != "en" || l.T("menu.quit") != "Quit" || l.N("unit.days", 2) != "2 days" {
		t.Fatalf("%q %q %q", l.Lang(), l.T("menu.quit"), l.N("unit.days", 2))
	}
	if New("fr_BE").T("menu.quit") != "Quitter" || New("xx").Lang() != "en" {
		t.Fatal("New does not parse locales")
	}
}

func BenchmarkT(b *testing.B) {
	l := New("fr")
	data := map[string]any{"Time": "17:42", "Via": "via eID"}
	for b.Loop() {
		_ = l.T("status.active", data)
	}
}
