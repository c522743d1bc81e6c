//go:build !windows && !darwin

package i18n

// osLocale: elsewhere the environment is the only source.
func osLocale() string { return "" }
