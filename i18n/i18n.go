// Package i18n is ehealth-tray's one catalog of user-facing text, in English,
// French, Dutch and German. Messages live in TOML files (locales/active.*.toml,
// embedded in the binary) and are read through go-i18n, which picks the plural
// form by the CLDR rules of each language ("1 jour" / "7 jours"). Dates and
// times are formatted the way each language writes them.
//
// Message IDs are literal strings in the code ("menu.quit"), so that a test can
// tell a missing or unused message. JSON field names, error kinds and check ids
// are contracts and never go through here.
package i18n

import (
	"embed"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the supported languages, English (the fallback) first.
var Languages = []string{"en", "fr", "nl", "de"}

//go:embed locales/active.*.toml
var locales embed.FS

// bundles holds, per language, a catalog of that language and English, its
// fallback: a program loads only the languages it speaks. The files are part
// of the program and TestCatalog reads them all: a file that does not parse
// is a build defect, not bad input, hence the panic.
var (
	bundlesMu sync.Mutex
	bundles   = map[string]*goi18n.Bundle{}
)

func bundleFor(lang string) *goi18n.Bundle {
	bundlesMu.Lock()
	defer bundlesMu.Unlock()
	if b, ok := bundles[lang]; ok {
		return b
	}
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	langs := []string{"en"}
	if lang != "en" {
		langs = append(langs, lang)
	}
	for _, l := range langs {
		if _, err := b.LoadMessageFileFS(locales, path.Join("locales", "active."+l+".toml")); err != nil {
			panic("i18n: embedded catalog: " + err.Error())
		}
	}
	bundles[lang] = b
	return b
}

// Date layouts per language; English keeps ISO dates, which are unambiguous.
var dateLayouts = map[string]string{
	"en": "2006-01-02",
	"fr": "02/01/2006",
	"nl": "02/01/2006",
	"de": "02.01.2006",
}

// Localizer renders messages in one language. A nil *Localizer renders English,
// so that code and tests that do not care about the language need not make one.
type Localizer struct {
	lang string
	loc  *goi18n.Localizer
}

// Localized is an error (or anything) that words itself from the catalog,
// in the language of l.
type Localized interface {
	Localize(l *Localizer) string
}

var english = sync.OnceValue(func() *Localizer { return New("en") })

// New returns the Localizer of lang ("fr", "nl", "de" or "en"; a locale such as
// "nl_BE.UTF-8" works too). Any other language gets English.
func New(lang string) *Localizer {
	l := parseLocale(lang)
	if l == "" {
		l = "en"
	}
	return &Localizer{lang: l, loc: goi18n.NewLocalizer(bundleFor(l), l, "en")}
}

func (l *Localizer) or() *Localizer {
	if l == nil {
		return english()
	}
	return l
}

// Lang is the localizer's language: "fr", "nl", "de" or "en".
func (l *Localizer) Lang() string { return l.or().lang }

// T renders the message id with the template data, if any.
func (l *Localizer) T(id string, data ...map[string]any) string {
	return l.or().localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: merge(data)})
}

// N renders the plural message id in the form for count; the template sees
// count as {{.Count}}.
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	d := merge(data)
	d["Count"] = count
	return l.or().localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
}

func (l *Localizer) localize(c *goi18n.LocalizeConfig) string {
	s, err := l.loc.Localize(c)
	if err != nil {
		// Only a message missing from the catalog gets here, which
		// TestCatalog forbids; the id at least says which one.
		return c.MessageID
	}
	return s
}

// Date formats the day of t in local time: 28/11/2026 in French and Dutch,
// 28.11.2026 in German, 2026-11-28 in English.
func (l *Localizer) Date(t time.Time) string { return t.Local().Format(dateLayouts[l.or().lang]) }

// Time formats the time of day of t in local time, 24-hour: 17:42.
func (l *Localizer) Time(t time.Time) string { return t.Local().Format("15:04") }

// DateTime is Date and Time together: 28/11/2026 17:42.
func (l *Localizer) DateTime(t time.Time) string { return l.Date(t) + " " + l.Time(t) }

func merge(data []map[string]any) map[string]any {
	out := map[string]any{}
	for _, d := range data {
		for k, v := range d {
			out[k] = v
		}
	}
	return out
}

// parseLocale returns the supported language of a locale name ("nl_BE.UTF-8",
// "fr-BE", "de_BE@euro", "en"), "en" for "C" and "POSIX", and "" for anything
// else.
func parseLocale(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "_-.@"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if s == "c" || s == "posix" {
		return "en"
	}
	for _, l := range Languages {
		if s == l {
			return l
		}
	}
	return ""
}
