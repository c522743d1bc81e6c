// Package sts speaks the eHealth STS protocol (ehealth-protocol.md §1–§7): it
// builds and signs the SAML 1.1 request, posts it, and parses and verifies the
// answer into a session.Assertion. It keeps no state between requests.
package sts

import (
	"crypto"
	"crypto/x509"
	"fmt"
)

// Signer is a private key together with its certificate. It is backed either
// by the eHealth keystore's authentication key or by the eID card. Like every
// crypto.Signer, an ECDSA Signer returns an ASN.1 DER signature; the XML-DSig
// code converts it to raw r||s.
type Signer interface {
	crypto.Signer
	Certificate() *x509.Certificate
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
