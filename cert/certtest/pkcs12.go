package certtest

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"

	"ehealth-tray/cert/internal/pbe"
)

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}

	oidFriendlyName = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	// Oracle's trustedKeyUsage, which Java writes on trusted-certificate entries.
	oidOracleTrustedKeyUsage = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidAnyExtendedKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

// PKCS#12 and PKCS#7 structures (RFC 7292, RFC 2315), encoding side only.
type (
	pfx struct {
		Version  int
		AuthSafe contentInfo
		MacData  macData
	}
	contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT, built by explicit0
	}
	encryptedData struct {
		Version              int
		EncryptedContentInfo encryptedContentInfo
	}
	encryptedContentInfo struct {
		ContentType                asn1.ObjectIdentifier
		ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
		EncryptedContent           []byte `asn1:"tag:0"`
	}
	safeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue // [0] EXPLICIT
		Attributes []attribute   `asn1:"set,optional"`
	}
	attribute struct {
		ID     asn1.ObjectIdentifier
		Values []any `asn1:"set"`
	}
	certBag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue // [0] EXPLICIT OCTET STRING
	}
	encryptedPrivateKeyInfo struct {
		Algorithm     pkix.AlgorithmIdentifier
		EncryptedData []byte
	}
)

// keystore is what encodePKCS12 writes.
type keystore struct {
	entries           []keyEntry
	ca                *x509.Certificate
	oracleTrustedCert bool
}

// keyEntry is a key and its certificate; both bags carry name as
// friendlyName and the same localKeyId.
type keyEntry struct {
	name string
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// encodePKCS12 writes ks like a real eHealth keystore: an authenticated safe
// holding the certificate bags in an RC2-40 EncryptedData, then the 3DES
// shrouded key bags in a Data; a SHA-1 MAC over it. password is BMP-encoded.
func encodePKCS12(ks keystore, password []byte, iterations int) ([]byte, error) {
	certBags, keyBags, err := entryBags(ks, password, iterations)
	if err != nil {
		return nil, err
	}
	caBags, err := caCertBags(ks)
	if err != nil {
		return nil, err
	}
	encDataDER, err := encryptedCertBags(append(certBags, caBags...), password, iterations)
	if err != nil {
		return nil, err
	}
	keysDER, err := asn1.Marshal(keyBags)
	if err != nil {
		return nil, &Error{Op: "encode key bags", Err: err}
	}
	keysOctets, err := asn1.Marshal(keysDER)
	if err != nil {
		return nil, &Error{Op: "encode key bags", Err: err}
	}
	authSafe, err := asn1.Marshal([]contentInfo{
		{ContentType: oidEncryptedData, Content: explicit0(encDataDER)},
		{ContentType: oidData, Content: explicit0(keysOctets)},
	})
	if err != nil {
		return nil, &Error{Op: "encode authenticated safe", Err: err}
	}
	authSafeOctets, err := asn1.Marshal(authSafe)
	if err != nil {
		return nil, &Error{Op: "encode authenticated safe", Err: err}
	}
	out, err := asn1.Marshal(pfx{
		Version:  3,
		AuthSafe: contentInfo{ContentType: oidData, Content: explicit0(authSafeOctets)},
		MacData:  computeMAC(authSafe, password, iterations),
	})
	if err != nil {
		return nil, &Error{Op: "encode PFX", Err: err}
	}
	return out, nil
}

// entryBags returns a certificate bag and a shrouded key bag for each entry,
// paired by their localKeyID.
func entryBags(ks keystore, password []byte, iterations int) (certBags, keyBags []safeBag, err error) {
	for _, e := range ks.entries {
		id := sha1.Sum(e.cert.Raw) // any unique value pairs the bags; openssl uses this one
		attrs := []attribute{friendlyName(e.name), {ID: oidLocalKeyID, Values: []any{id[:]}}}
		cb, err := newCertBag(e.cert, attrs...)
		if err != nil {
			return nil, nil, err
		}
		kb, err := newShroudedKeyBag(e.key, password, iterations, attrs)
		if err != nil {
			return nil, nil, err
		}
		certBags = append(certBags, cb)
		keyBags = append(keyBags, kb)
	}
	return certBags, keyBags, nil
}

// caCertBags returns the chain bag, then the duplicate named by the RFC 2253
// DN, as Java's X500Principal.getName() writes it (and Oracle's trusted one).
func caCertBags(ks keystore) ([]safeBag, error) {
	caBagAttrs := [][]attribute{nil, {friendlyName(ks.ca.Subject.String())}}
	if ks.oracleTrustedCert {
		caBagAttrs = append(caBagAttrs, []attribute{
			friendlyName("ehealth ca"),
			{ID: oidOracleTrustedKeyUsage, Values: []any{oidAnyExtendedKeyUsage}},
		})
	}
	var bags []safeBag
	for _, attrs := range caBagAttrs {
		cb, err := newCertBag(ks.ca, attrs...)
		if err != nil {
			return nil, err
		}
		bags = append(bags, cb)
	}
	return bags, nil
}

// encryptedCertBags returns the certificate bags in an RC2-40 EncryptedData.
func encryptedCertBags(bags []safeBag, password []byte, iterations int) ([]byte, error) {
	certsDER, err := asn1.Marshal(bags)
	if err != nil {
		return nil, &Error{Op: "encode certificate bags", Err: err}
	}
	alg, encCerts, err := encrypt(pbe.RC2With40Bit, certsDER, password, iterations)
	if err != nil {
		return nil, err
	}
	encDataDER, err := asn1.Marshal(encryptedData{
		EncryptedContentInfo: encryptedContentInfo{
			ContentType:                oidData,
			ContentEncryptionAlgorithm: alg,
			EncryptedContent:           encCerts,
		},
	})
	if err != nil {
		return nil, &Error{Op: "encode encrypted data", Err: err}
	}
	return encDataDER, nil
}

func newShroudedKeyBag(key *rsa.PrivateKey, password []byte, iterations int, attrs []attribute) (safeBag, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return safeBag{}, &Error{Op: "encode private key", Err: err}
	}
	alg, enc, err := encrypt(pbe.TripleDES, pkcs8, password, iterations)
	clear(pkcs8)
	if err != nil {
		return safeBag{}, err
	}
	der, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, EncryptedData: enc})
	if err != nil {
		return safeBag{}, &Error{Op: "encode shrouded key bag", Err: err}
	}
	return safeBag{ID: oidShroudedKeyBag, Value: explicit0(der), Attributes: attrs}, nil
}

func newCertBag(cert *x509.Certificate, attrs ...attribute) (safeBag, error) {
	octets, err := asn1.Marshal(cert.Raw)
	if err != nil {
		return safeBag{}, &Error{Op: "encode certificate bag", Err: err}
	}
	der, err := asn1.Marshal(certBag{ID: oidX509Cert, Value: explicit0(octets)})
	if err != nil {
		return safeBag{}, &Error{Op: "encode certificate bag", Err: err}
	}
	return safeBag{ID: oidCertBag, Value: explicit0(der), Attributes: attrs}, nil
}

// friendlyName is a BMPString attribute; encoding/asn1 cannot write
// BMPStrings, hence the RawValue.
func friendlyName(name string) attribute {
	return attribute{ID: oidFriendlyName, Values: []any{asn1.RawValue{Tag: asn1.TagBMPString, Bytes: pbe.BMPString(name)}}}
}

// explicit0 wraps der in a [0] EXPLICIT tag. encoding/asn1 writes a RawValue
// as it is and ignores struct tags on it, so the tag is built here.
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}
