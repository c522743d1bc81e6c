package cert

import (
	"crypto/hmac"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"ehealth-tray/cert/internal/pbe"
)

// A session needs the certificates and the authentication key, not the
// encryption keys, and every key derivation of a keystore (50,000 SHA-1
// iterations each in a real eHealth file) is independent of the others.
// decodeLegacy exploits both for the layout eHealth writes (SHA-1 MAC,
// certificates under 40-bit RC2, keys under triple DES): it derives the MAC
// key and the keys of the parts it needs concurrently, and decrypts nothing
// else. Anything it does not know goes to go-pkcs12 (errNotLegacy), so its
// answers never differ from the full decoder's. The MAC is always checked
// before anything decrypted is used.

// maxLegacyJobs bounds the decryptions decodeLegacy starts before the MAC
// is checked: the certificates and the authentication key, with room to spare.
const maxLegacyJobs = 4

// errNotLegacy sends a file to go-pkcs12.
var errNotLegacy = errors.New("not a legacy eHealth layout")

var (
	oidCertBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidLocalKey = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
)

type (
	encryptedContent struct {
		Version int
		Info    struct {
			ContentType asn1.ObjectIdentifier
			Algorithm   pkix.AlgorithmIdentifier
			Content     []byte `asn1:"tag:0,optional"`
		}
	}
	shroudedKey struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	certBag struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"` // the certificate's DER

	}
)

// decryption is one encrypted part to open: a scheme, its parameters and
// the ciphertext. plain is set once it ran.
type decryption struct {
	scheme pbe.Scheme
	params pbe.Params
	enc    []byte
	// key: the authentication key's block, to fill in; nil for a content
	// of certificate bags.
	key   *pem.Block
	plain []byte
	err   error
}

// legacyPlan is what decodeLegacy found in the unencrypted frame.
type legacyPlan struct {
	blocks []*pem.Block // certificates in clear and the key blocks, in file order
	jobs   []*decryption
}

// decodeLegacy returns what go-pkcs12's ToPEM would, less the encryption
// keys' material (their blocks keep their names, with no bytes), or
// errNotLegacy.
func decodeLegacy(pfx *pfxPDU, safe []contentInfo, password []byte) ([]*pem.Block, error) {
	mac := pfx.MacData
	if !mac.Mac.Algorithm.Algorithm.Equal(pbe.OIDSHA1) || len(mac.Mac.Digest) == 0 {
		return nil, errNotLegacy
	}
	bmp, err := pbe.BMPPassword(password)
	if err != nil || len(password) == 0 { // go-pkcs12 knows the empty password's two encodings
		return nil, errNotLegacy
	}
	plan, err := planLegacy(safe)
	if err != nil {
		return nil, err
	}
	// Derivations run before the MAC is known: a file of many encrypted
	// parts, written without the password, must not buy itself that work.
	// eHealth's layout needs two; go-pkcs12 checks the MAC first.
	if len(plan.jobs) > maxLegacyJobs {
		return nil, errNotLegacy
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, errNotLegacy
	}

	var wg sync.WaitGroup
	for _, j := range plan.jobs {
		wg.Go(func() { j.plain, j.err = j.scheme.Decrypt(j.enc, bmp, j.params) })
	}
	macOK := hmac.Equal(pbe.MAC(authSafe, bmp, mac.MacSalt, mac.Iterations), mac.Mac.Digest)
	wg.Wait()
	if !macOK {
		return nil, ErrWrongPassword
	}
	return plan.finish()
}

// planLegacy lists the bags of the authenticated safe and the decryptions
// they need.
func planLegacy(safe []contentInfo) (*legacyPlan, error) {
	plan := &legacyPlan{}
	for _, ci := range safe {
		switch {
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedContent
			if err := unmarshalAll(ci.Content.Bytes, &ed); err != nil || !ed.Info.ContentType.Equal(oidData) {
				return nil, errNotLegacy
			}
			j, err := newDecryption(ed.Info.Algorithm, ed.Info.Content)
			if err != nil {
				return nil, err
			}
			plan.jobs = append(plan.jobs, j)
		case ci.ContentType.Equal(oidData):
			bags := plainBags(ci)
			if len(bags) == 0 {
				return nil, errNotLegacy
			}
			if err := plan.addBags(bags, true); err != nil {
				return nil, err
			}
		default:
			return nil, errNotLegacy
		}
	}
	return plan, nil
}

func newDecryption(alg pkix.AlgorithmIdentifier, enc []byte) (*decryption, error) {
	scheme, ok := pbe.SchemeOf(alg.Algorithm)
	if !ok {
		return nil, errNotLegacy
	}
	var p pbe.Params
	if err := unmarshalAll(alg.Parameters.FullBytes, &p); err != nil {
		return nil, errNotLegacy
	}
	return &decryption{scheme: scheme, params: p, enc: enc}, nil
}

// addBags adds certificate bags as blocks, and key bags (only where keys may
// be: in clear Data) as key blocks, queuing the authentication key's
// decryption.
func (p *legacyPlan) addBags(bags []safeBag, keysAllowed bool) error {
	for _, bag := range bags {
		headers, err := bagHeaders(bag.Attributes)
		if err != nil {
			return err
		}
		switch {
		case bag.ID.Equal(oidCertBag):
			var cb certBag
			if err := unmarshalAll(bag.Value.Bytes, &cb); err != nil || !cb.ID.Equal(oidX509Cert) {
				return errNotLegacy
			}
			p.blocks = append(p.blocks, &pem.Block{Type: "CERTIFICATE", Headers: headers, Bytes: cb.Data})
		case bag.ID.Equal(oidShroudedKeyBag) && keysAllowed:
			block := &pem.Block{Type: "PRIVATE KEY", Headers: headers}
			p.blocks = append(p.blocks, block)
			if !strings.EqualFold(headers["friendlyName"], "authentication") {
				continue // an encryption key: named, never decrypted
			}
			var sk shroudedKey
			if err := unmarshalAll(bag.Value.Bytes, &sk); err != nil {
				return errNotLegacy
			}
			j, err := newDecryption(sk.Algorithm, sk.Data)
			if err != nil {
				return err
			}
			j.key = block
			p.jobs = append(p.jobs, j)
		default:
			return errNotLegacy
		}
	}
	return nil
}

// bagHeaders are a bag's attributes as ToPEM writes them: friendlyName and
// localKeyId (lower-case hex). Any other attribute (Java's trustedKeyUsage,
// say) goes to go-pkcs12, whose error says what it is.
func bagHeaders(attrs []bagAttribute) (map[string]string, error) {
	h := map[string]string{}
	for _, a := range attrs {
		switch {
		case a.ID.Equal(oidFriendlyName):
			name, ok := friendlyNameOf([]bagAttribute{a})
			if !ok {
				return nil, errNotLegacy
			}
			h["friendlyName"] = name
		case a.ID.Equal(oidLocalKey):
			var id []byte
			if _, err := asn1.Unmarshal(a.Values.Bytes, &id); err != nil {
				return nil, errNotLegacy
			}
			h["localKeyId"] = hex.EncodeToString(id)
		default:
			return nil, errNotLegacy
		}
	}
	return h, nil
}

// finish turns the decrypted parts into blocks, once the MAC verified.
func (p *legacyPlan) finish() ([]*pem.Block, error) {
	blocks := p.blocks
	for _, j := range p.jobs {
		if j.err != nil {
			// The MAC verified, so the password is right: a damaged part.
			return nil, fmt.Errorf("%w: %w", ErrUnsupportedKeystore, j.err)
		}
		if j.key != nil {
			j.key.Bytes = j.plain
			continue
		}
		var bags []safeBag
		if err := unmarshalAll(j.plain, &bags); err != nil {
			return nil, errNotLegacy
		}
		certs := &legacyPlan{}
		if err := certs.addBags(bags, false); err != nil {
			return nil, err
		}
		blocks = append(blocks, certs.blocks...)
	}
	return blocks, nil
}
