package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
)

func TestNewCardIsIssuedByTheCA(t *testing.T) {
	ca, err := NewCA(true)
	if err != nil {
		t.Fatal(err)
	}
	key, card, err := NewCard("79021802145", "Anne", "Demo", ca)
	if err != nil {
		t.Fatal(err)
	}
	if key.Curve != elliptic.P384() || !key.PublicKey.Equal(card.PublicKey) {
		t.Fatal("not the card's P-384 key")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	if _, err := card.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("card does not chain to the CA: %v", err)
	}
	s := card.Subject
	if s.SerialNumber != "79021802145" || s.CommonName != "Anne Demo (Authentication)" || len(s.Country) != 1 || s.Country[0] != "BE" {
		t.Fatalf("subject %v", s)
	}
	if card.IsCA {
		t.Fatal("an issued card must not be a CA")
	}
}

func TestSelfSignedVerifiesItself(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, err := SelfSigned(key, pkix.Name{CommonName: "signer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatalf("self-signature: %v", err)
	}
}
