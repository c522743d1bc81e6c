// Package session opens and keeps an eHealth session: it builds and signs the
// SAML 1.1 request for the eHealth STS, sends it, parses the answer, and runs
// the session Manager (state machine, checks, expiry, cached assertion).
package session

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"
)

// Signer is a private key together with its certificate. It is backed either
// by the eHealth keystore's authentication key or by the eID card. Like every
// crypto.Signer, an ECDSA Signer returns an ASN.1 DER signature; the XML-DSig
// code converts it to raw r||s.
type Signer interface {
	crypto.Signer
	Certificate() *x509.Certificate
}

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

// STSFault is a SOAP fault from the STS, with its eHealth code (SOA-xxxxx).
type STSFault struct {
	Code    string
	Message string
}

func (e *STSFault) Error() string { return fmt.Sprintf("STS fault %s: %s", e.Code, e.Message) }

// Kind is the error kind shown by the CLI.
func (e *STSFault) Kind() string { return "sts-fault" }

// STSStatusError is a samlp:Response whose StatusCode is not Success.
type STSStatusError struct {
	Code    string
	Message string
}

func (e *STSStatusError) Error() string { return fmt.Sprintf("STS status %s: %s", e.Code, e.Message) }

// Kind is the error kind shown by the CLI.
func (e *STSStatusError) Kind() string { return "sts-status" }
