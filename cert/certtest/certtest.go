// Package certtest writes eHealth-like PKCS#12 keystores for tests and for the
// `demo` command, laid out like the files eHealth issues (ehealth-protocol.md
// §8): an `authentication` key and certificate issued by an eHealth-style CA,
// one or more self-signed encryption keys named by their decimal serial, the
// CA chain plus a duplicate CA bag named by its DN, 3DES-encrypted keys,
// RC2-40-encrypted certificates and a SHA-1 MAC.
//
// The PKCS#12 writer is our own: go-pkcs12 cannot write several keys into one
// file, and openssl cannot either.
package certtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultGivenNames = "JOHN"
	DefaultSurname    = "DOE"
	DefaultPassword   = "test"
	// DefaultIterations keeps tests fast; real keystores use RealIterations.
	DefaultIterations = 2048
	RealIterations    = 50000
	// DefaultValidity is the default span from NotBefore to NotAfter.
	DefaultValidity = 3 * 365 * 24 * time.Hour
)

const rsaBits = 2048

// CA is the issuer of the authentication certificate.
type CA struct {
	Cert       *x509.Certificate
	Key        *rsa.PrivateKey
	Acceptance bool
}

// NewCA makes a self-signed RSA-2048 CA named like eHealth's: the acceptance
// CA has "acceptance" in its CN, which is how the app tells the environments
// apart.
func NewCA(acceptance bool) (*CA, error) {
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, &Error{Op: "generate CA key", Err: err}
	}
	cn := "eHealth-platform Belgium CA"
	if acceptance {
		cn = "eHealth Test CA acceptance"
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Country:      []string{"BE"},
			Organization: []string{"Federal Government"},
			CommonName:   cn,
		},
		// Wide enough to cover expired and future fixtures issued by a shared CA.
		NotBefore:             now.AddDate(-20, 0, 0),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := CreateCertificate(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, Acceptance: acceptance}, nil
}

// Options describes one keystore. Zero fields take the documented defaults.
type Options struct {
	SSIN                string // 11 digits, required
	GivenNames, Surname string // default "JOHN", "DOE"
	// CA issues the authentication certificate; nil = a new CA (production
	// unless Acceptance). A given CA decides the environment.
	CA         *CA
	Acceptance bool
	// NotBefore and NotAfter bound the authentication and encryption
	// certificates; default now-1h .. NotBefore+3 years.
	NotBefore, NotAfter time.Time
	Password            string // default "test"
	// Iterations is used for the key PBE, the certificate PBE and the MAC;
	// default 2048.
	Iterations int
	// EncryptionKeys is the number of encryption keys and certificates;
	// default max(1, len(EncKeys)).
	EncryptionKeys int
	// AuthKey and EncKeys let tests reuse keys, since RSA-2048 generation is
	// slow. Missing keys are generated.
	AuthKey *rsa.PrivateKey
	EncKeys []*rsa.PrivateKey
	// OracleTrustedCert adds the CA again as a Java trusted-certificate entry
	// (attribute 2.16.840.1.113894.746875.1.1), as `keytool -importcert` does.
	// go-pkcs12's ToPEM rejects such files.
	OracleTrustedCert bool
}

// Fixture is a generated keystore and everything in it.
type Fixture struct {
	P12      []byte
	CA       *CA
	AuthKey  *rsa.PrivateKey
	AuthCert *x509.Certificate
	// EncKeys[i] belongs to EncCerts[i].
	EncKeys  []*rsa.PrivateKey
	EncCerts []*x509.Certificate

	ssin string // for WriteFile's file name
}

// New builds a keystore as described by o.
func New(o Options) (*Fixture, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	password, err := bmpPassword(o.Password)
	if err != nil {
		return nil, err
	}
	ca := o.CA
	if ca == nil {
		if ca, err = NewCA(o.Acceptance); err != nil {
			return nil, err
		}
	}
	subject := holderSubject(o.SSIN, o.GivenNames+" "+o.Surname)

	f := &Fixture{CA: ca, ssin: o.SSIN}
	if f.AuthKey, err = keyOrNew(o.AuthKey); err != nil {
		return nil, err
	}
	authSerial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	f.AuthCert, err = CreateCertificate(&x509.Certificate{
		SerialNumber: authSerial,
		Subject:      subject,
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}, ca.Cert, &f.AuthKey.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	entries := []keyEntry{{name: "authentication", key: f.AuthKey, cert: f.AuthCert}}

	for i := range o.EncryptionKeys {
		var given *rsa.PrivateKey
		if i < len(o.EncKeys) {
			given = o.EncKeys[i]
		}
		key, err := keyOrNew(given)
		if err != nil {
			return nil, err
		}
		serial, err := randomSerial()
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial,
			Subject:      subject,
			NotBefore:    o.NotBefore,
			NotAfter:     o.NotAfter,
			KeyUsage:     x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
		}
		cert, err := CreateCertificate(tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, err
		}
		f.EncKeys = append(f.EncKeys, key)
		f.EncCerts = append(f.EncCerts, cert)
		entries = append(entries, keyEntry{name: serial.String(), key: key, cert: cert})
	}

	f.P12, err = encodePKCS12(keystore{
		entries:           entries,
		ca:                ca.Cert,
		oracleTrustedCert: o.OracleTrustedCert,
	}, password, o.Iterations)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// fill validates o and applies the defaults.
func (o *Options) fill() error {
	if len(o.SSIN) != 11 || !allDigits(o.SSIN) {
		return &OptionError{Field: "SSIN", Reason: "must be 11 digits"}
	}
	if o.CA != nil {
		if o.Acceptance && !o.CA.Acceptance {
			return &OptionError{Field: "Acceptance", Reason: "set, but CA is a production CA"}
		}
		o.Acceptance = o.CA.Acceptance
	}
	if o.GivenNames == "" {
		o.GivenNames = DefaultGivenNames
	}
	if o.Surname == "" {
		o.Surname = DefaultSurname
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = o.NotBefore.Add(DefaultValidity)
	}
	if !o.NotAfter.After(o.NotBefore) {
		return &OptionError{Field: "NotAfter", Reason: "must be after NotBefore"}
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	switch {
	case o.Iterations < 0:
		return &OptionError{Field: "Iterations", Reason: "must not be negative"}
	case o.Iterations == 0:
		o.Iterations = DefaultIterations
	}
	switch {
	case o.EncryptionKeys < 0:
		return &OptionError{Field: "EncryptionKeys", Reason: "must not be negative"}
	case o.EncryptionKeys == 0:
		o.EncryptionKeys = max(1, len(o.EncKeys))
	case o.EncryptionKeys < len(o.EncKeys):
		return &OptionError{Field: "EncKeys", Reason: "holds more keys than EncryptionKeys"}
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// holderSubject is the subject of eHealth certificates, in the real RDN order:
// C=BE, O=Federal Government, OU=SSIN=<ssin>, OU=<name>, OU=eHealth-platform Belgium, CN=SSIN=<ssin>.
// ExtraNames alone keeps that order; the typed pkix.Name fields would not.
func holderSubject(ssin, name string) pkix.Name {
	return pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: OIDCountry, Value: "BE"},
		{Type: OIDOrganization, Value: "Federal Government"},
		{Type: OIDOrgUnit, Value: "SSIN=" + ssin},
		{Type: OIDOrgUnit, Value: name},
		{Type: OIDOrgUnit, Value: "eHealth-platform Belgium"},
		{Type: OIDCommonName, Value: "SSIN=" + ssin},
	}}
}

func keyOrNew(key *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if key != nil {
		return key, nil
	}
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, &Error{Op: "generate key", Err: err}
	}
	return key, nil
}

// randomSerial returns a positive 64-bit serial, like the long decimal
// friendlyNames of real encryption keys.
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, &Error{Op: "generate serial", Err: err}
	}
	return n.Add(n, big.NewInt(1)), nil
}

// CreateCertificate is x509.CreateCertificate, parsed: tmpl signed by
// signer as parent (tmpl itself for a self-signed one), for the key pub.
func CreateCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, &Error{Op: "create certificate", Err: err}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, &Error{Op: "parse certificate", Err: err}
	}
	return cert, nil
}

// FileName is the eHealth file name: "SSIN=<ssin> <yyyyMMdd-HHmmss>.p12",
// ".acc-p12" for acceptance. created is formatted in its own location.
func FileName(ssin string, created time.Time, acceptance bool) string {
	ext := ".p12"
	if acceptance {
		ext = ".acc-p12"
	}
	return "SSIN=" + ssin + " " + created.Format("20060102-150405") + ext
}

// WriteFile writes f.P12 into dir under FileName(...) with mode 0600 and
// returns the path.
func (f *Fixture) WriteFile(dir string, created time.Time) (string, error) {
	path := filepath.Join(dir, FileName(f.ssin, created, f.CA.Acceptance))
	if err := os.WriteFile(path, f.P12, 0o600); err != nil {
		return "", &Error{Op: "write keystore", Err: err}
	}
	return path, nil
}

// OptionError reports an unusable Options field.
type OptionError struct {
	Field  string
	Reason string
}

func (e *OptionError) Error() string { return "certtest: option " + e.Field + ": " + e.Reason }

// Kind is the error kind shown by the CLI.
func (e *OptionError) Kind() string { return "invalid-option" }

// Error is a failure while generating or writing a keystore.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "certtest: " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *Error) Kind() string { return "keystore-fixture" }
