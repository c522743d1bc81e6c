package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"
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

var (
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU           = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN           = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
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
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		k.err = err
		return k
	}
	ca, _ := x509.ParseCertificate(caDER)
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
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
		if err != nil {
			k.err = err
			return nil
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			k.err = err
			return nil
		}
		return &swSigner{key, c}
	}
	// The eHealth certificate's real subject layout (§8): quotes in the DN.
	// ExtraNames keep one attribute per RDN, in this order.
	hokSubject := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: oidCountry, Value: "BE"},
		{Type: oidOrganization, Value: "Federal Government"},
		{Type: oidOU, Value: "SSIN=" + reqSSIN},
		{Type: oidOU, Value: "JOHN DOE"},
		{Type: oidOU, Value: "eHealth-platform Belgium"},
		{Type: oidCN, Value: "SSIN=" + reqSSIN},
	}}
	// The eID authentication certificate's layout.
	eidSubject := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: oidCountry, Value: "BE"},
		{Type: oidCN, Value: "John Doe (Authentication)"},
		{Type: oidSurname, Value: "Doe"},
		{Type: oidGivenName, Value: "John"},
		{Type: oidSerialNumber, Value: reqSSIN},
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
