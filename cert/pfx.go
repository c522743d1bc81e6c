package cert

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// The PKCS#12 structures (RFC 7292) are read here only as far as they are
// not encrypted: enough to tell a complete file from a truncated one, and to
// bound the work a file may ask of the key derivation before any password is
// tried. go-pkcs12 does the decryption.

var (
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBMAC1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// maxIterations bounds every key-derivation iteration count in a keystore:
// eHealth uses 50,000, current Java and OpenSSL far fewer. Without a bound, a
// damaged or hostile file could keep the decoder busy for hours.
const maxIterations = 1_000_000

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

// contentInfo's Content is the [0] EXPLICIT wrapper: encoding/asn1 does not
// unwrap explicit tags into a RawValue, so Content.Bytes is the inner element.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type macData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

// The following types stop at the algorithm: encoding/asn1 ignores the
// fields after it.
type (
	encryptedData struct {
		Version              int
		EncryptedContentInfo struct {
			ContentType asn1.ObjectIdentifier
			Algorithm   pkix.AlgorithmIdentifier
		}
	}
	safeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue  `asn1:"tag:0,explicit"`
		Attributes []bagAttribute `asn1:"set,optional"`
	}
	encryptedPrivateKeyInfo struct {
		Algorithm pkix.AlgorithmIdentifier
	}
)

// readPFX parses the unencrypted frame of a PFX: the outer structure with no
// trailing bytes, version 3, and an authenticated safe of at least one
// ContentInfo.
func readPFX(data []byte) (*pfxPDU, []contentInfo, error) {
	var pfx pfxPDU
	if err := unmarshalAll(data, &pfx); err != nil {
		return nil, nil, err
	}
	if pfx.Version != 3 {
		return nil, nil, fmt.Errorf("PFX version %d, want 3", pfx.Version)
	}
	if !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, nil, fmt.Errorf("authSafe content type %v, want data", pfx.AuthSafe.ContentType)
	}
	var octets []byte
	if err := unmarshalAll(pfx.AuthSafe.Content.Bytes, &octets); err != nil {
		return nil, nil, fmt.Errorf("authSafe: %w", err)
	}
	var safe []contentInfo
	if err := unmarshalAll(octets, &safe); err != nil {
		return nil, nil, fmt.Errorf("authenticated safe: %w", err)
	}
	if len(safe) == 0 {
		return nil, nil, fmt.Errorf("empty authenticated safe")
	}
	return &pfx, safe, nil
}

// Probe tells, without the password, whether data is a complete,
// well-formed PKCS#12 file: the outer structure parses with no trailing
// bytes and holds the authenticated safe. A half-written file fails. The
// error wraps ErrNotKeystore.
func Probe(data []byte) error {
	if _, _, err := readPFX(data); err != nil {
		return fmt.Errorf("%w: %w", ErrNotKeystore, err)
	}
	return nil
}

// checkWorkFactor refuses iteration counts above maxIterations in the MAC,
// the encrypted contents and the plaintext key bags. Key bags inside
// encrypted contents are out of reach, but only the password holder can
// write those.
func checkWorkFactor(pfx *pfxPDU, safe []contentInfo) error {
	counts := []int{pfx.MacData.Iterations}
	if pfx.MacData.Mac.Algorithm.Algorithm.Equal(oidPBMAC1) {
		counts[0] = iterationsOf(pfx.MacData.Mac.Algorithm)
	}
	for _, ci := range safe {
		switch {
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err == nil {
				counts = append(counts, iterationsOf(ed.EncryptedContentInfo.Algorithm))
			}
		case ci.ContentType.Equal(oidData):
			for _, bag := range plainBags(ci) {
				var key encryptedPrivateKeyInfo
				if !bag.ID.Equal(oidShroudedKeyBag) {
					continue
				}
				if _, err := asn1.Unmarshal(bag.Value.Bytes, &key); err == nil {
					counts = append(counts, iterationsOf(key.Algorithm))
				}
			}
		}
	}
	for _, n := range counts {
		if n > maxIterations {
			return fmt.Errorf("%w: key derivation asks for %d iterations, more than %d", ErrUnsupportedKeystore, n, maxIterations)
		}
	}
	return nil
}

// iterationsOf returns the iteration count in the parameters of a
// password-based algorithm: the PKCS#12 PBE schemes, or PBES2 and PBMAC1 with
// PBKDF2. Both parameter forms start with the salt, then the count. It
// returns 0 for parameters it cannot read; go-pkcs12 rejects those.
func iterationsOf(alg pkix.AlgorithmIdentifier) int {
	params := alg.Parameters.FullBytes
	if alg.Algorithm.Equal(oidPBES2) || alg.Algorithm.Equal(oidPBMAC1) {
		var p struct{ KDF pkix.AlgorithmIdentifier }
		if _, err := asn1.Unmarshal(params, &p); err != nil {
			return 0
		}
		params = p.KDF.Parameters.FullBytes
	}
	var p struct {
		Salt       asn1.RawValue
		Iterations int
	}
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return 0
	}
	return p.Iterations
}

// unmarshalAll is asn1.Unmarshal refusing trailing bytes.
func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%d trailing bytes", len(rest))
	}
	return nil
}

// ProbeFile is Probe on a file, read with the same size cap as Open, so an
// odd large file in the keystore folder costs nothing.
func ProbeFile(path string) error {
	data, err := readKeystore(path)
	if err != nil {
		return err
	}
	return Probe(data)
}
