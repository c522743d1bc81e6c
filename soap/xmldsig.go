package soap

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Signature method names, as in the config's [sts] signature and
// request_signature. They apply to RSA keys only: EC keys sign ecdsa-sha256.
const (
	SignatureRSASHA256 = "rsa-sha256"
	SignatureRSASHA1   = "rsa-sha1"
)

// XML-DSig namespace and algorithm URIs.
const (
	NSDS            = dsig.Namespace
	AlgExcC14N      = string(dsig.CanonicalXML10ExclusiveAlgorithmId)
	AlgEnveloped    = string(dsig.EnvelopedSignatureAltorithmId)
	AlgDigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	AlgDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// Signer is a private key together with its certificate: the eHealth
// keystore's authentication key or the eID card. Like every crypto.Signer, an
// ECDSA Signer returns ASN.1 DER; Sign converts it to raw r||s.
type Signer interface {
	crypto.Signer
	Certificate() *x509.Certificate
}

// Algorithm is a signature method together with the digest of the same
// signature's references: sha1 digests with rsa-sha1 (what the reference
// client sends), sha256 digests with everything else.
type Algorithm struct {
	SignatureURI string
	DigestURI    string
	Hash         crypto.Hash
	// curveBytes is the byte size of the EC curve; 0 for RSA.
	curveBytes int
}

// AlgorithmFor picks the algorithm for the public key pub. method ("" for
// the default rsa-sha256, or a Signature… name) only applies to RSA: EC keys
// (new eID cards) always sign with ecdsa-sha256. Anything else is an
// *AlgorithmError.
func AlgorithmFor(pub crypto.PublicKey, method string) (Algorithm, error) {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		switch method {
		case "", SignatureRSASHA256:
			return Algorithm{dsig.RSASHA256SignatureMethod, AlgDigestSHA256, crypto.SHA256, 0}, nil
		case SignatureRSASHA1:
			return Algorithm{dsig.RSASHA1SignatureMethod, AlgDigestSHA1, crypto.SHA1, 0}, nil
		}
		return Algorithm{}, &AlgorithmError{Reason: fmt.Sprintf("unknown signature method %q (want %q or %q)", method, SignatureRSASHA256, SignatureRSASHA1)}
	case *ecdsa.PublicKey:
		return Algorithm{dsig.ECDSASHA256SignatureMethod, AlgDigestSHA256, crypto.SHA256, (pub.Curve.Params().BitSize + 7) / 8}, nil
	}
	return Algorithm{}, &AlgorithmError{Reason: fmt.Sprintf("unsupported key type %T (want RSA or EC)", pub)}
}

// AlgorithmError is a key or signature method that cannot sign XML-DSig.
// Callers wrap it in an error of their kind.
type AlgorithmError struct{ Reason string }

func (e *AlgorithmError) Error() string { return e.Reason }

// Reference is one ds:Reference: the element it points to by URI (an ID,
// without "#").
type Reference struct {
	URI     string
	Element *etree.Element
	// Enveloped adds the enveloped-signature transform: the signature is a
	// descendant of Element.
	Enveloped bool
}

// Sign signs refs with s and inserts the ds:Signature into parent at index,
// with keyInfo as its ds:KeyInfo. Every reference and SignedInfo use exc-c14n.
//
// Reference digests are taken before the signature joins the tree, which is
// exactly what the enveloped-signature transform yields on the receiving side.
// SignedInfo is canonicalized in place, with the namespaces in scope there.
func Sign(parent *etree.Element, index int, s crypto.Signer, alg Algorithm, refs []Reference, keyInfo *etree.Element) error {
	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", NSDS)
	info := sig.CreateElement("ds:SignedInfo")
	info.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", AlgExcC14N)
	info.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", alg.SignatureURI)
	for _, r := range refs {
		digest, err := digestOf(r.Element, alg.Hash)
		if err != nil {
			return err
		}
		ref := info.CreateElement("ds:Reference")
		ref.CreateAttr("URI", "#"+r.URI)
		transforms := ref.CreateElement("ds:Transforms")
		if r.Enveloped {
			transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", AlgEnveloped)
		}
		transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", AlgExcC14N)
		ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", alg.DigestURI)
		ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))
	}
	parent.InsertChildAt(index, sig)

	signedInfo, err := digestOf(info, alg.Hash)
	if err != nil {
		return err
	}
	value, err := signDigest(s, alg, signedInfo)
	if err != nil {
		return err
	}
	sig.CreateElement("ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(value))
	sig.AddChild(keyInfo)
	return nil
}

// Canonicalize returns the exclusive C14N form of el. It works on a detached
// copy that carries the namespaces el inherits from its ancestors (the
// canonicalizer rewrites its input and only sees what is on the copy).
func Canonicalize(el *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	out, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	return out, nil
}

func digestOf(el *etree.Element, h crypto.Hash) ([]byte, error) {
	c, err := Canonicalize(el)
	if err != nil {
		return nil, err
	}
	hh := h.New()
	hh.Write(c)
	return hh.Sum(nil), nil
}

// signDigest signs through the crypto.Signer interface only, so a PKCS#11
// key (the eID card) works like a software key. ECDSA signers return DER;
// XML-DSig wants raw r||s.
func signDigest(s crypto.Signer, alg Algorithm, digest []byte) ([]byte, error) {
	sig, err := s.Sign(rand.Reader, digest, alg.Hash)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	if alg.curveBytes == 0 {
		return sig, nil
	}
	raw, err := ecdsaRaw(sig, alg.curveBytes)
	if err != nil {
		return nil, &SignError{Err: err}
	}
	return raw, nil
}

// ecdsaRaw converts an ASN.1 DER ECDSA signature to r||s, each left-padded
// to size bytes.
func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &rs)
	if err != nil {
		return nil, fmt.Errorf("ECDSA signature is not DER: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("ECDSA signature has trailing data")
	}
	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > size*8 || rs.S.BitLen() > size*8 {
		return nil, errors.New("ECDSA signature values out of range")
	}
	raw := make([]byte, 2*size)
	rs.R.FillBytes(raw[:size])
	rs.S.FillBytes(raw[size:])
	return raw, nil
}

// SignError is a failure to sign: of the key (eID card or keystore key), or
// of the canonicalization.
type SignError struct {
	Err error
}

func (e *SignError) Error() string { return "signing the request: " + e.Err.Error() }

func (e *SignError) Unwrap() error { return e.Err }

// Kind is the kind of the signer's own error when it has one (the eID
// package's "pin-incorrect", "no-card", …), else "signing".
func (e *SignError) Kind() string {
	var k interface{ Kind() string }
	if errors.As(e.Err, &k) {
		return k.Kind()
	}
	return "signing"
}

// X509KeyInfo is a ds:KeyInfo carrying c.
func X509KeyInfo(c *x509.Certificate) *etree.Element {
	ki := etree.NewElement("ds:KeyInfo")
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(c.Raw))
	return ki
}

// NewID returns a fresh XML ID (an NCName when prefix starts with a letter or _).
func NewID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + hex.EncodeToString(b)
}

// XSDTime formats t as an xsd:dateTime in UTC with milliseconds.
func XSDTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
