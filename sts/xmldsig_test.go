package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
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

func TestECDSASignatureValueIsRawRS(t *testing.T) {
	hok, _, ecID := stsKeys(t)
	req, err := BuildRequest(RequestParams{Identification: ecID, HOK: hok, SSIN: reqSSIN, Quality: "doctor"})
	if err != nil {
		t.Fatal(err)
	}
	p := parseEnvelope(t, req.Envelope)
	sv, err := base64.StdEncoding.DecodeString(p.headerSig.SelectElement("ds:SignatureValue").Text())
	if err != nil {
		t.Fatal(err)
	}
	if len(sv) != 96 {
		t.Fatalf("P-384 SignatureValue is %d bytes, want 96 (raw r||s)", len(sv))
	}
	c14n, err := canonicalize(p.headerSig.SelectElement("ds:SignedInfo"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(c14n)
	r, s := new(big.Int).SetBytes(sv[:48]), new(big.Int).SetBytes(sv[48:])
	if !ecdsa.Verify(ecID.Public().(*ecdsa.PublicKey), digest[:], r, s) {
		t.Fatal("raw r||s does not verify over the canonical SignedInfo")
	}
}

func TestECDSARaw(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	// Enough signatures that some r or s is short and needs left padding.
	for range 64 {
		der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ecdsaRaw(der, 48)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 96 {
			t.Fatalf("len %d", len(raw))
		}
		if !ecdsa.Verify(&key.PublicKey, digest[:], new(big.Int).SetBytes(raw[:48]), new(big.Int).SetBytes(raw[48:])) {
			t.Fatal("converted signature does not verify")
		}
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, append([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}, 0)} {
		if _, err := ecdsaRaw(bad, 48); err == nil {
			t.Errorf("ecdsaRaw(%x) accepted", bad)
		}
	}
	long, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).Lsh(big.NewInt(1), 48*8), big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecdsaRaw(long, 48); err == nil {
		t.Error("r longer than the curve accepted")
	}
}
