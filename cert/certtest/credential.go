package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"
)

// SelfSigned makes a self-signed certificate for key, valid from an hour
// ago for a day: for tests that need a signer with its certificate (a header
// signer, a card, a CA).
func SelfSigned(key crypto.Signer, subject pkix.Name) (*x509.Certificate, error) {
	now := time.Now()
	return issue(key, subject, nil, nil, now.Add(-time.Hour), now.Add(24*time.Hour))
}

// NewCard makes an eID-like Authentication credential: an EC P-384 key, as
// on the cards issued since 2021, and a certificate whose subject is laid
// out as the Belgian eID's (CN "<given> <surname> (Authentication)", SN, GN,
// serialNumber = the national number ssin, C=BE). It is issued by ca, or
// self-signed when ca is nil.
func NewCard(ssin, givenName, surname string, ca *CA) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, nil, &Error{Op: "card key", Err: err}
	}
	subject := pkix.Name{
		CommonName: givenName + " " + surname + " (Authentication)", SerialNumber: ssin, Country: []string{"BE"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: OIDSurname, Value: surname},
			{Type: OIDGivenName, Value: givenName},
		},
	}
	now := time.Now()
	var parent *x509.Certificate
	var signer crypto.Signer
	if ca != nil {
		parent, signer = ca.Cert, ca.Key
	}
	cert, err := issue(key, subject, parent, signer, now.Add(-time.Hour), now.AddDate(10, 0, 0))
	return key, cert, err
}

// issue signs a certificate for key with signer and parent, or self-signs
// it when parent is nil. A self-signed one is also a CA, so that it can
// stand for one in chain checks.
func issue(key crypto.Signer, subject pkix.Name, parent *x509.Certificate, signer crypto.Signer, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, &Error{Op: "serial", Err: err}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if parent == nil {
		parent, signer = tmpl, key
		tmpl.BasicConstraintsValid, tmpl.IsCA = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	return CreateCertificate(tmpl, parent, key.Public(), signer)
}
