// Package session keeps an eHealth session: the Manager (state machine, checks,
// expiry), the cached assertion and the clock. It knows no XML and no HTTP:
// opening a session is a function it is given (see OpenFunc).
package session

import "time"

// Method is how a session was opened.
type Method string

const (
	// MethodEID: the eID card signs the WS-Security header (normal use).
	MethodEID Method = "eid"
	// MethodFallback: the eHealth certificate alone (exceptional use only).
	MethodFallback Method = "fallback"
)

// Assertion is the SAML assertion the STS returned.
type Assertion struct {
	ID           string
	Issuer       string
	InResponseTo string
	NotBefore    time.Time
	NotOnOrAfter time.Time
	// Attributes by attribute name (e.g.
	// "urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11").
	Attributes map[string]string
	// Raw is the assertion element's bytes as received, with the namespace
	// declarations it inherits from the Response added to its start tag, so
	// that it stands alone (and is embedded as is in the WS-Security header
	// of the calls made with the session). Never log it.
	Raw []byte
	// ClockSkew is eHealth's clock minus the computer's when the session was
	// opened (from the HTTP Date header; 0 when unknown): positive when the
	// computer is behind. See ClockSkewed.
	ClockSkew time.Duration
}

// Limits on what an STS answer may say (ehealth-protocol.md §7).
const (
	// MaxClockSkew is the difference between the computer's clock and
	// eHealth's beyond which the difference is said: the request's
	// Timestamp lives only 60 s.
	MaxClockSkew = 2 * time.Minute
	// MaxLifetime is the longest session accepted; eHealth gives 24 h.
	MaxLifetime = 7 * 24 * time.Hour
)

// ClockSkewed reports whether a clock difference is beyond MaxClockSkew.
func ClockSkewed(skew time.Duration) bool { return skew.Abs() > MaxClockSkew }
