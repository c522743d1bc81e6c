package ststest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Credential is the key and certificate the simulator signs its assertions
// with, as the real STS does with its own certificate.
type Credential struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// NewCredential makes a self-signed STS credential valid from notBefore to
// notAfter. A test builds an old (expired) and a new one to play a trust
// rollover: Options.STS or SetSTSCredential chooses which one signs, and
// PEM writes the `[sts] trust` file.
func NewCredential(commonName string, notBefore, notAfter time.Time) (*Credential, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sts simulator key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Country:      []string{"BE"},
			Organization: []string{"eHealth-platform Belgium"},
			CommonName:   commonName,
		},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sts simulator certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Credential{Key: key, Cert: cert}, nil
}

// check refuses a credential whose certificate is not for its key.
func (c *Credential) check() error {
	if c == nil || c.Key == nil || c.Cert == nil {
		return errors.New("sts simulator credential needs a key and a certificate")
	}
	if !c.Key.PublicKey.Equal(c.Cert.PublicKey) {
		return errors.New("sts simulator credential: the certificate is not for the key")
	}
	return nil
}

// PEM encodes certificates as a PEM file, e.g. an `[sts] trust` file
// holding the old and the new STS certificate during a rollover.
func PEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
