// Package sts speaks the eHealth STS protocol (ehealth-protocol.md §1–§7): it
// builds and signs the SAML 1.1 request, posts it through package soap (with
// the retry policy of a session the practitioner asked for), and parses and
// verifies the answer into a session.Assertion. It keeps no state between
// requests.
package sts

import (
	"fmt"
	"strings"

	"ehealth-tray/soap"
)

// Signer is a private key together with its certificate: the eHealth
// keystore's authentication key or the eID card (see soap.Signer).
type Signer = soap.Signer

// Signature method names of RequestParams and the config's [sts] signature
// and request_signature.
const (
	SignatureRSASHA256 = soap.SignatureRSASHA256
	SignatureRSASHA1   = soap.SignatureRSASHA1
)

// STSFault is a SOAP fault from the STS, with its eHealth code (SOA-xxxxx).
type STSFault struct {
	Code    string
	Message string
}

func (e *STSFault) Error() string { return fmt.Sprintf("STS fault %s: %s", e.Code, e.Message) }

// Kind is the error kind shown by the CLI: sts-unavailable for SOA-02xxx
// (the service says it is down), else sts-fault.
func (e *STSFault) Kind() string {
	if e.Unavailable() {
		return "sts-unavailable"
	}
	return "sts-fault"
}

// Unavailable reports a service that says it is (temporarily) unavailable.
func (e *STSFault) Unavailable() bool { return strings.HasPrefix(e.Code, "SOA-02") }

// STSStatusError is a samlp:Response whose StatusCode is not Success.
type STSStatusError struct {
	Code    string
	Message string
}

func (e *STSStatusError) Error() string { return fmt.Sprintf("STS status %s: %s", e.Code, e.Message) }

// Kind is the error kind shown by the CLI.
func (e *STSStatusError) Kind() string { return "sts-status" }
