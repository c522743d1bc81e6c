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
	// Raw is the assertion element's bytes exactly as received. Namespace
	// declarations inherited from the Response are not in it: whoever embeds
	// it in another message must declare them.
	// Never log it.
	Raw []byte
}
