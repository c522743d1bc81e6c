package cert

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"ehealth-tray/safefile"
	"software.sslmate.com/src/go-pkcs12"
)

// Keystore is a decoded eHealth keystore.
type Keystore struct {
	Path string // "" when decoded from memory
	// Key is the private key named "authentication" and Cert its
	// certificate, paired by localKeyId.
	Key  crypto.Signer
	Cert *x509.Certificate
	// EncryptionCerts are the certificates of the encryption keys, keyed by
	// the keys' friendlyName, which eHealth sets to the certificate's serial
	// number in decimal. The encryption keys themselves are not decrypted:
	// nothing here decrypts messages.
	EncryptionCerts map[string]*x509.Certificate
	// Chain holds the other certificates (the CA chain), each once.
	Chain    []*x509.Certificate
	Identity Identity
}

// Identity is who and what a keystore's authentication certificate is for.
type Identity struct {
	SSIN        string
	Holder      string // given names and surname, as in the subject
	Environment string // Production or Acceptance
	// Subject and Issuer are in RFC 1779 form, as Java writes them (see DN).
	Subject, Issuer     string
	NotBefore, NotAfter time.Time
}

// maxKeystoreSize bounds what Open reads: keystores are a few kilobytes.
const maxKeystoreSize = 1 << 20

// oidTrustedKeyUsage is Oracle's trustedKeyUsage attribute, written by Java's
// keytool -importcert on trusted-certificate entries.
var oidTrustedKeyUsage = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}

// Open reads and decodes the keystore at path. It never writes to the file.
func Open(path string, password []byte) (*Keystore, error) {
	data, err := readKeystore(path)
	if err != nil {
		return nil, err
	}
	ks, err := decode(data, password, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ks.Path = path
	return ks, nil
}

// readKeystore reads the keystore file, capped. A symlink is followed to its
// file (a "current.p12" link is common); the file itself must be regular: a
// FIFO or a device is refused at once (kind not-regular-file), never waited on.
func readKeystore(path string) ([]byte, error) {
	data, err := safefile.ReadTarget(path, maxKeystoreSize)
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrNotKeystore, maxKeystoreSize)
	case safefile.IsNotRegular(err):
		return nil, fmt.Errorf("keystore: %w: %w", err, ErrRead)
	case err != nil:
		return nil, fmt.Errorf("keystore: %w: %w", ErrRead, err)
	}
	return data, nil
}

// Decode decodes a keystore with its password. Errors wrap ErrNotKeystore,
// ErrWrongPassword, ErrTrustedCertEntry, ErrUnsupportedKeystore or
// ErrNoAuthenticationKey.
func Decode(data, password []byte) (*Keystore, error) {
	return decode(data, password, "")
}

// decode is Decode; fileName, when known, settles the environment if the
// issuer does not.
func decode(data, password []byte, fileName string) (*Keystore, error) {
	pfx, safe, err := readPFX(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotKeystore, err)
	}
	if err := checkWorkFactor(pfx, safe); err != nil {
		return nil, err
	}
	blocks, err := decodeLegacy(pfx, safe, password)
	if errors.Is(err, errNotLegacy) {
		blocks, err = toPEM(data, password)
	}
	if err != nil {
		switch {
		case errors.Is(err, ErrWrongPassword), errors.Is(err, ErrUnsupportedKeystore):
			return nil, err
		case errors.Is(err, pkcs12.ErrIncorrectPassword):
			return nil, ErrWrongPassword
		case isTrustedCertError(err):
			return nil, ErrTrustedCertEntry
		default:
			return nil, fmt.Errorf("%w: %w", ErrUnsupportedKeystore, err)
		}
	}
	ks, err := assemble(blocks)
	if err != nil {
		return nil, err
	}
	ks.Identity = IdentityOf(ks.Cert, fileName)
	return ks, nil
}

// toPEM is the only caller of go-pkcs12's ToPEM. ToPEM is deprecated because
// its "PRIVATE KEY" blocks are not always PKCS#8 (parsePrivateKey copes), but
// it is the only go-pkcs12 API that reads a file holding more than one
// private key, as every eHealth keystore does: Decode and DecodeChain refuse
// them.
func toPEM(data, password []byte) ([]*pem.Block, error) {
	//lint:ignore SA1019 deprecated, but the only multi-key reader; see above.
	return pkcs12.ToPEM(data, string(password))
}

// isTrustedCertError tells whether ToPEM failed on Oracle's trustedKeyUsage
// attribute. The attribute sits in a certificate bag encrypted under the
// password, and go-pkcs12 neither decrypts bags for us nor types this error,
// so its message is the only place the OID can be seen without
// re-implementing PKCS#12 decryption.
func isTrustedCertError(err error) bool {
	return strings.Contains(err.Error(), "unknown attribute with OID "+oidTrustedKeyUsage.String())
}

// pemKey and pemCert are ToPEM's blocks with their bag attributes.
type (
	pemKey struct {
		name, localKeyID string
		key              crypto.Signer
	}
	pemCert struct {
		localKeyID string
		cert       *x509.Certificate
	}
)

// assemble pairs keys with certificates by localKeyId and sorts them into
// the authentication key, the encryption keys and the chain.
func assemble(blocks []*pem.Block) (*Keystore, error) {
	var (
		keys  []pemKey
		certs []pemCert
	)
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: certificate: %w", ErrUnsupportedKeystore, err)
			}
			certs = append(certs, pemCert{b.Headers["localKeyId"], c})
		case "PRIVATE KEY":
			k := pemKey{name: b.Headers["friendlyName"], localKeyID: b.Headers["localKeyId"]}
			if len(b.Bytes) > 0 { // an encryption key decodeLegacy left encrypted has none
				var err error
				if k.key, err = parsePrivateKey(b.Bytes); err != nil {
					return nil, err
				}
			}
			keys = append(keys, k)
		}
	}

	ks := &Keystore{EncryptionCerts: map[string]*x509.Certificate{}}
	listed := map[string]bool{} // raw certificates already placed
	for _, k := range keys {
		c := certFor(k, certs)
		if c != nil {
			listed[string(c.Raw)] = true
		}
		if strings.EqualFold(k.name, "authentication") {
			switch {
			case ks.Key != nil:
				return nil, fmt.Errorf("%w: two keys named authentication", ErrUnsupportedKeystore)
			case c == nil || k.key == nil:
				return nil, fmt.Errorf("%w: the authentication key has no certificate with its localKeyId", ErrNoAuthenticationKey)
			}
			ks.Key, ks.Cert = k.key, c
			continue
		}
		name := k.name
		if name == "" && c != nil {
			name = c.SerialNumber.String()
		}
		if name != "" && c != nil {
			ks.EncryptionCerts[name] = c
		}
	}
	if ks.Key == nil {
		return nil, ErrNoAuthenticationKey
	}
	// eHealth files repeat CA certificates in bags named by DN.
	for _, c := range certs {
		if !listed[string(c.cert.Raw)] {
			listed[string(c.cert.Raw)] = true
			ks.Chain = append(ks.Chain, c.cert)
		}
	}
	return ks, nil
}

// certFor returns the certificate with k's localKeyId and, when k was
// decrypted, k's public key.
func certFor(k pemKey, certs []pemCert) *x509.Certificate {
	if k.localKeyID == "" {
		return nil
	}
	var pub interface{ Equal(crypto.PublicKey) bool }
	if k.key != nil {
		var ok bool
		if pub, ok = k.key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok {
			return nil
		}
	}
	for _, c := range certs {
		if c.localKeyID == k.localKeyID && (pub == nil || pub.Equal(c.cert.PublicKey)) {
			return c.cert
		}
	}
	return nil
}

// parsePrivateKey reads a ToPEM "PRIVATE KEY" block, which holds PKCS#1,
// SEC1 or PKCS#8 depending on the key type.
func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: private key neither PKCS#1, SEC1 nor PKCS#8", ErrUnsupportedKeystore)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T private key cannot sign", ErrUnsupportedKeystore, k)
	}
	return s, nil
}

// IdentityOf reads who a certificate is for: SSIN and holder from the
// subject, environment from the issuer's CN ("acceptance" or the word "TEST"
// mean acceptance), else from fileName's suffix. cert may be nil: only the
// environment is then set.
func IdentityOf(cert *x509.Certificate, fileName string) Identity {
	if cert == nil {
		return Identity{Environment: environment("", fileName)}
	}
	id := Identity{
		SSIN:        ssinOf(cert.Subject),
		Holder:      holderOf(cert.Subject),
		Environment: environment(cert.Issuer.CommonName, fileName),
		NotBefore:   cert.NotBefore,
		NotAfter:    cert.NotAfter,
	}
	// Names that x509.ParseCertificate accepted always parse; a certificate
	// built by hand has no raw names and keeps them empty.
	id.Subject, _ = DN(cert.RawSubject)
	id.Issuer, _ = DN(cert.RawIssuer)
	return id
}

const ssinPrefix = "SSIN="

func ssinOf(n pkix.Name) string {
	for _, v := range append([]string{n.CommonName}, n.OrganizationalUnit...) {
		if ssin, ok := cutPrefixFold(v, ssinPrefix); ok {
			return ssin
		}
	}
	return ""
}

// holderOf is the OU that is none of eHealth's fixed ones.
func holderOf(n pkix.Name) string {
	for _, ou := range n.OrganizationalUnit {
		if _, ssin := cutPrefixFold(ou, ssinPrefix); ssin ||
			strings.EqualFold(ou, "eHealth-platform Belgium") || strings.EqualFold(ou, "Federal Government") {
			continue
		}
		return ou
	}
	return ""
}

func environment(issuerCN, fileName string) string {
	if issuerCN != "" {
		// "test" must be a word of its own: "Attestation" is no test CA.
		words := strings.FieldsFunc(issuerCN, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if strings.Contains(strings.ToLower(issuerCN), "acceptance") ||
			slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, "test") }) {
			return Acceptance
		}
		return Production
	}
	if env, _, ok := suffixEnvironment(fileName); ok {
		return env
	}
	return Production
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}
