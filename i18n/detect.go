package i18n

import "os"

// Detect chooses the language: configured (the config's `language`) when
// set, else the locale of the environment (LC_ALL, LC_MESSAGES, then LANG, as
// POSIX orders them), else the user locale of Windows or macOS, else English.
// The first locale variable that is set decides, even for a language without
// a translation: a Spanish locale gets English, not the next variable.
func Detect(configured string) string {
	if configured != "" {
		if l := parseLocale(configured); l != "" {
			return l
		}
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return or(parseLocale(s), "en")
		}
	}
	return or(parseLocale(osLocale()), "en")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
