package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
)

// swSigner is a software key wrapped as a Signer, like the keystore key.
type swSigner struct {
	crypto.Signer
	cert *x509.Certificate
}

func (k swSigner) Certificate() *x509.Certificate { return k.cert }

const reqSSIN = "79021802145"

// Java's RFC 1779 form of the test certificates' names (ehealth-protocol.md §3).
const (
	reqHOKDN    = `CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`
	reqEIDDN    = `OID.2.5.4.5=79021802145, OID.2.5.4.42=John, OID.2.5.4.4=Doe, CN=John Doe (Authentication), C=BE`
	reqIssuerDN = `CN=eHealth test CA, O=Federal Government, C=BE`
)

// stsTestKeys are generated once: RSA key generation is slow.
var stsTestKeys = sync.OnceValue(func() (k struct {
	rsaHOK, rsaID, ecID *swSigner
	err                 error
}) {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		k.err = err
		return k
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "eHealth test CA", Organization: []string{"Federal Government"}, Country: []string{"BE"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	ca, err := certtest.CreateCertificate(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		k.err = err
		return k
	}
	issue := func(key crypto.Signer, subject pkix.Name, serial int64) *swSigner {
		if k.err != nil {
			return nil
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      subject,
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
		}
		c, err := certtest.CreateCertificate(tmpl, ca, key.Public(), caKey)
		if err != nil {
			k.err = err
			return nil
		}
		return &swSigner{key, c}
	}
	// The eHealth certificate's real subject layout (§8): quotes in the DN.
	// ExtraNames keep one attribute per RDN, in this order.
	hokSubject := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: certtest.OIDCountry, Value: "BE"},
		{Type: certtest.OIDOrganization, Value: "Federal Government"},
		{Type: certtest.OIDOrgUnit, Value: "SSIN=" + reqSSIN},
		{Type: certtest.OIDOrgUnit, Value: "JOHN DOE"},
		{Type: certtest.OIDOrgUnit, Value: "eHealth-platform Belgium"},
		{Type: certtest.OIDCommonName, Value: "SSIN=" + reqSSIN},
	}}
	// The eID authentication certificate's layout.
	eidSubject := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: certtest.OIDCountry, Value: "BE"},
		{Type: certtest.OIDCommonName, Value: "John Doe (Authentication)"},
		{Type: certtest.OIDSurname, Value: "Doe"},
		{Type: certtest.OIDGivenName, Value: "John"},
		{Type: certtest.OIDSerialNumber, Value: reqSSIN},
	}}
	hokKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		k.err = err
		return k
	}
	idKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		k.err = err
		return k
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		k.err = err
		return k
	}
	k.rsaHOK = issue(hokKey, hokSubject, 2)
	k.rsaID = issue(idKey, eidSubject, 3)
	k.ecID = issue(ecKey, eidSubject, 4)
	return k
})

func stsKeys(tb testing.TB) (hok, rsaID, ecID *swSigner) {
	tb.Helper()
	k := stsTestKeys()
	if k.err != nil {
		tb.Fatalf("test keys: %v", k.err)
	}
	return k.rsaHOK, k.rsaID, k.ecID
}
