package ststest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// SignatureAlgorithm is how the simulator signs its assertions.
type SignatureAlgorithm string

const (
	// SignatureRSASHA1 is rsa-sha1 with sha1 digests, as the real
	// acceptance STS signed in 2020.
	SignatureRSASHA1 SignatureAlgorithm = "rsa-sha1"
	// SignatureRSASHA256 is rsa-sha256 with sha256 digests.
	SignatureRSASHA256 SignatureAlgorithm = "rsa-sha256"
)

// answerAlgorithm is a SignatureMethod and DigestMethod pair.
type answerAlgorithm struct {
	signature, digest string
	hash              crypto.Hash
}

var answerAlgorithms = map[SignatureAlgorithm]answerAlgorithm{
	SignatureRSASHA1:   {algRSASHA1, algSHA1, crypto.SHA1},
	SignatureRSASHA256: {algRSASHA256, algSHA256, crypto.SHA256},
}

// signing is an assertion and the empty signature it will carry.
type signing struct{ assertion, sig *etree.Element }

// signatureSkeleton appends an enveloped ds:Signature, without its values,
// as the last child of the assertion (where SAML 1.1 wants it).
func signatureSkeleton(a *etree.Element, alg SignatureAlgorithm, cert *x509.Certificate) *etree.Element {
	al := answerAlgorithms[alg]
	sig := a.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", al.signature)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "#"+a.SelectAttrValue("AssertionID", ""))
	ts := ref.CreateElement("ds:Transforms")
	ts.CreateElement("ds:Transform").CreateAttr("Algorithm", algEnveloped)
	ts.CreateElement("ds:Transform").CreateAttr("Algorithm", algExcC14N)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", al.digest)
	ref.CreateElement("ds:DigestValue")
	sig.CreateElement("ds:SignatureValue")
	addX509KeyInfo(sig, cert.Raw)
	return sig
}

// sign fills the skeleton: the digest of the assertion without its
// signature, then the signature of the canonical SignedInfo, both computed
// where the assertion stands in its document.
func (u signing) sign(cred *Credential, alg SignatureAlgorithm) error {
	al := answerAlgorithms[alg]
	canonical, err := canonicalize(u.assertion, u.sig, "")
	if err != nil {
		return fmt.Errorf("canonicalize assertion: %w", err)
	}
	d := al.hash.New()
	d.Write(canonical)
	u.sig.FindElement("./ds:SignedInfo/ds:Reference/ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(d.Sum(nil)))

	si := u.sig.FindElement("./ds:SignedInfo")
	canonical, err = canonicalize(si, nil, "")
	if err != nil {
		return fmt.Errorf("canonicalize SignedInfo: %w", err)
	}
	h := al.hash.New()
	h.Write(canonical)
	value, err := rsa.SignPKCS1v15(rand.Reader, cred.Key, al.hash, h.Sum(nil))
	if err != nil {
		return err
	}
	u.sig.FindElement("./ds:SignatureValue").SetText(wrapBase64(value))
	return nil
}

// wrapBase64 encodes b in lines of base64Line characters, as Java does.
func wrapBase64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	lines := make([]string, 0, len(s)/base64Line+1)
	for len(s) > base64Line {
		lines = append(lines, s[:base64Line])
		s = s[base64Line:]
	}
	return strings.Join(append(lines, s), "\n")
}
