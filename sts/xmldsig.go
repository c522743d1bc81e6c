package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Signature method names accepted in RequestParams.SignatureMethod (and in
// the config's sts.signature). They apply to RSA keys only.
const (
	SignatureRSASHA256 = "rsa-sha256"
	SignatureRSASHA1   = "rsa-sha1"
)

const (
	nsDS            = dsig.Namespace
	algExcC14N      = string(dsig.CanonicalXML10ExclusiveAlgorithmId)
	algEnveloped    = string(dsig.EnvelopedSignatureAltorithmId)
	algDigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	algDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// algorithm is a signature method together with the digest used for the
// references of the same signature: sha1 digests go with rsa-sha1 (what the
// reference client sends), sha256 digests with everything else.
type algorithm struct {
	signatureURI string
	digestURI    string
	hash         crypto.Hash
	// curveBytes is the byte size of the EC curve; 0 for RSA.
	curveBytes int
}

// algorithmFor picks the algorithm for s's public key. method only applies to
// RSA: EC keys (new eID cards) always sign with ecdsa-sha256.
func algorithmFor(s Signer, method string) (algorithm, error) {
	switch pub := s.Public().(type) {
	case *rsa.PublicKey:
		switch method {
		case "", SignatureRSASHA256:
			return algorithm{dsig.RSASHA256SignatureMethod, algDigestSHA256, crypto.SHA256, 0}, nil
		case SignatureRSASHA1:
			return algorithm{dsig.RSASHA1SignatureMethod, algDigestSHA1, crypto.SHA1, 0}, nil
		}
		return algorithm{}, &RequestError{Reason: fmt.Sprintf("unknown signature method %q (want %q or %q)", method, SignatureRSASHA256, SignatureRSASHA1)}
	case *ecdsa.PublicKey:
		return algorithm{dsig.ECDSASHA256SignatureMethod, algDigestSHA256, crypto.SHA256, (pub.Curve.Params().BitSize + 7) / 8}, nil
	}
	return algorithm{}, &RequestError{Reason: fmt.Sprintf("unsupported key type %T (want RSA or EC)", s.Public())}
}

// reference is one ds:Reference: the element it points to by URI.
type reference struct {
	uri string
	el  *etree.Element
	// enveloped adds the enveloped-signature transform: the signature is a
	// descendant of el.
	enveloped bool
}

// insertSignature signs refs with s and inserts the ds:Signature into parent
// at index, with keyInfo as its ds:KeyInfo.
//
// Reference digests are taken before the signature joins the tree, which is
// exactly what the enveloped-signature transform yields on the receiving side.
// SignedInfo is canonicalized in place, with the namespaces in scope there.
func insertSignature(parent *etree.Element, index int, s Signer, alg algorithm, refs []reference, keyInfo *etree.Element) error {
	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	info := sig.CreateElement("ds:SignedInfo")
	info.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	info.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", alg.signatureURI)
	for _, r := range refs {
		digest, err := digestOf(r.el, alg.hash)
		if err != nil {
			return err
		}
		ref := info.CreateElement("ds:Reference")
		ref.CreateAttr("URI", "#"+r.uri)
		transforms := ref.CreateElement("ds:Transforms")
		if r.enveloped {
			transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", algEnveloped)
		}
		transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", algExcC14N)
		ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", alg.digestURI)
		ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))
	}
	parent.InsertChildAt(index, sig)

	signedInfo, err := digestOf(info, alg.hash)
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

// canonicalize returns the exclusive C14N form of el. It works on a detached
// copy that carries the namespaces el inherits from its ancestors (the
// canonicalizer rewrites its input and only sees what is on the copy).
func canonicalize(el *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, &RequestError{Reason: "canonicalization", Err: err}
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, &RequestError{Reason: "canonicalization", Err: err}
	}
	out, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		return nil, &RequestError{Reason: "canonicalization", Err: err}
	}
	return out, nil
}

func digestOf(el *etree.Element, h crypto.Hash) ([]byte, error) {
	c, err := canonicalize(el)
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
func signDigest(s Signer, alg algorithm, digest []byte) ([]byte, error) {
	sig, err := s.Sign(rand.Reader, digest, alg.hash)
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

// SignError is a failure of the signing key (eID card or keystore key).
type SignError struct {
	Err error
}

func (e *SignError) Error() string { return "signing the STS request: " + e.Err.Error() }

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
