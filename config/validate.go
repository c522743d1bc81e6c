package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"ehealth-tray/i18n"
)

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
	if c.STS.RequestSignature == "" {
		c.STS.RequestSignature = d.STS.RequestSignature
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

// Bounds of the values that have one.
const (
	// MinCheckInterval is the shortest check_interval: a shorter one would
	// busy-loop ("1ns").
	MinCheckInterval = time.Minute
	// MaxDaysBefore is the farthest reminder, ten years: a certificate lasts
	// three.
	MaxDaysBefore = 3650
)

// signatures are the RSA signature algorithms the STS client can write.
var signatures = []string{"rsa-sha256", "rsa-sha1"}

// validate checks values that decode fine but make no sense; each bad value is
// reported and replaced by its default (or clamped, for check_interval).
func (c *Config) validate(lines map[string]int) []Issue {
	d := Default()
	var out []Issue
	bad := func(key, id string, params map[string]any) {
		out = append(out, newIssue(c.Path, lines[key], key, id, params))
	}
	oneOf := func(key string, v *string, allowed []string, def string) {
		if !slices.Contains(allowed, *v) {
			bad(key, "settings.one-of", map[string]any{"Allowed": quoteAll(allowed), "Value": quote(*v), "Default": quote(def)})
			*v = def
		}
	}
	oneOf("environment", &c.Environment, []string{Production, Acceptance}, d.Environment)
	oneOf("sts.signature", &c.STS.Signature, signatures, d.STS.Signature)
	oneOf("sts.request_signature", &c.STS.RequestSignature, signatures, d.STS.RequestSignature)
	if !slices.Contains(append([]string{""}, i18n.Languages...), c.Language) {
		bad("language", "settings.language", map[string]any{"Allowed": quoteAll(i18n.Languages), "Value": quote(c.Language)})
		c.Language = ""
	}
	// An unknown profession is kept as written, so that the provider.quality
	// check can name it too.
	for i, p := range c.Providers {
		if p.Quality != "" && !slices.Contains(Qualities, p.Quality) {
			bad(fmt.Sprintf("provider[%d].quality", i), "settings.quality", map[string]any{"Allowed": strings.Join(Qualities, ", "), "Value": quote(p.Quality)})
		}
	}
	if iv := c.Session.CheckInterval.Duration; iv < MinCheckInterval {
		bad("session.check_interval", "settings.interval-clamped", map[string]any{"Value": quote(iv.String())})
		c.Session.CheckInterval.Duration = MinCheckInterval
	}
	for _, n := range c.Reminders.DaysBefore {
		if n < 0 || n > MaxDaysBefore {
			bad("reminders.days_before", "settings.days-range", map[string]any{"Value": n, "Max": MaxDaysBefore, "Default": fmt.Sprint(d.Reminders.DaysBefore)})
			c.Reminders.DaysBefore = d.Reminders.DaysBefore
			break
		}
	}
	return out
}
