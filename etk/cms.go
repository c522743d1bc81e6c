package etk

import (
	"crypto/x509"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// MaxETK caps an ETK: a real one (the CMS with the encryption certificate,
// the authentication certificate and its chain) is a few KiB.
const MaxETK = 64 << 10

// DecodeETK returns the encryption certificate an ETK carries: the ETK is a
// DER (or BER) CMS SignedData whose encapsulated content is the DER
// certificate (ehealth-protocol.md §11). Anything else is a *ResponseError.
//
// The CMS signature is not verified: the ETK comes from the depot over
// server-authenticated TLS, which is what vouches for it, and the question
// asked of it is only which key it names. (The Technical Connector compares
// serials the same way; older ETKs are signed with SHA-1, which Go refuses.)
func DecodeETK(der []byte) (*x509.Certificate, error) {
	if len(der) > MaxETK {
		return nil, &ResponseError{Reason: fmt.Sprintf("ETK of %d bytes, more than %d", len(der), MaxETK)}
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, &ResponseError{Reason: "ETK is not a CMS SignedData", Err: err}
	}
	if len(p7.Signers) == 0 {
		return nil, &ResponseError{Reason: "ETK is not a signed CMS"}
	}
	if len(p7.Content) == 0 {
		return nil, &ResponseError{Reason: "ETK carries no content"}
	}
	c, err := x509.ParseCertificate(p7.Content)
	if err != nil {
		return nil, &ResponseError{Reason: "ETK content is not a certificate", Err: err}
	}
	return c, nil
}
