package session

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

// keySigner is a software key wrapped as a Signer, like the keystore key.
type keySigner struct {
	crypto.Signer
	cert *x509.Certificate
}

func (k keySigner) Certificate() *x509.Certificate { return k.cert }

const testSSIN = "79021802145"

var oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}

// testKeys are generated once: RSA key generation is slow.
var testKeys = sync.OnceValue(func() (k struct {
	rsaHOK, rsaID, ecID *keySigner
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
	issue := func(key crypto.Signer, subject pkix.Name, serial int64) *keySigner {
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
		return &keySigner{key, c}
	}
	// The eHealth certificate's real subject layout (§8): quotes in the DN.
	hokSubject := pkix.Name{
		Country:            []string{"BE"},
		Organization:       []string{"Federal Government"},
		OrganizationalUnit: []string{"SSIN=" + testSSIN, "JOHN DOE", "eHealth-platform Belgium"},
		CommonName:         "SSIN=" + testSSIN,
	}
	// An eID-like subject, with serialNumber (written OID.2.5.4.5).
	eidSubject := pkix.Name{
		Country:    []string{"BE"},
		CommonName: "John Doe (Authentication)",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidSerialNumber, Value: testSSIN}},
	}
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

func keys(tb testing.TB) (hok, rsaID, ecID *keySigner) {
	tb.Helper()
	k := testKeys()
	if k.err != nil {
		tb.Fatalf("test keys: %v", k.err)
	}
	return k.rsaHOK, k.rsaID, k.ecID
}
