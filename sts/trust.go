package sts

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// LoadTrust reads the STS signing certificates from the PEM file pemPath
// (the config's [sts] trust), for ClientOptions.Trust. Blocks other than
// CERTIFICATE are ignored. A file that cannot be read or holds no
// certificate is a *ClientConfigError.
func LoadTrust(pemPath string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(pemPath)
	if err != nil {
		return nil, &ClientConfigError{Reason: "reading the STS trust file", Err: err}
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &ClientConfigError{Reason: "certificate in STS trust file " + pemPath, Err: err}
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, &ClientConfigError{Reason: "no PEM certificate in STS trust file " + pemPath}
	}
	return certs, nil
}

// STSSignatureError is an assertion whose signature does not verify with
// the trusted STS certificates. Err says why, for the logs.
type STSSignatureError struct {
	Err error
}

func (e *STSSignatureError) Error() string {
	return "the STS answer is not signed by the trusted eHealth STS certificate"
}

func (e *STSSignatureError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *STSSignatureError) Kind() string { return "sts-signature" }

// verifyAssertion checks the enveloped signature of the assertion el (a
// detached element carrying its namespaces) with the trusted certificates and
// returns the element the signature covers, as goxmldsig reads it back from
// the verified canonical bytes: the session's values come from there.
func verifyAssertion(el *etree.Element, id string, trust []*x509.Certificate) (*etree.Element, error) {
	el = el.Copy()
	sig, err := envelopedSignature(el, id)
	if err != nil {
		return nil, &STSSignatureError{Err: err}
	}
	certs, err := signingCerts(sig, trust)
	if err != nil {
		return nil, &STSSignatureError{Err: err}
	}
	// KeyInfo is not signed: it only hints at the key, chosen above. Without
	// it goxmldsig verifies with the one certificate of its store.
	for _, ki := range childrenNS(sig, nsDS, "KeyInfo") {
		sig.RemoveChild(ki)
	}
	var errs []error
	for _, c := range certs {
		ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
		ctx.IdAttribute = "AssertionID"
		covered, err := ctx.Validate(el)
		if err == nil {
			return covered, nil
		}
		errs = append(errs, err)
	}
	return nil, &STSSignatureError{Err: errors.Join(errs...)}
}

// envelopedSignature returns the signature of the assertion el after checking
// it has the shape the STS signs with: the only ds:Signature in el, a child
// of it, with an exc-c14n SignedInfo, rsa-sha256 or rsa-sha1, and exactly one
// Reference, to "#"+id, with the enveloped-signature and exc-c14n transforms.
// goxmldsig alone would take any signature in el that refers to it.
func envelopedSignature(el *etree.Element, id string) (*etree.Element, error) {
	var sigs []*etree.Element
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			if c.Tag == "Signature" && c.NamespaceURI() == nsDS {
				sigs = append(sigs, c)
			}
			walk(c)
		}
	}
	walk(el)
	if len(sigs) != 1 || sigs[0].Parent() != el {
		return nil, fmt.Errorf("%d ds:Signature in the assertion, want one, as its child", len(sigs))
	}
	sig := sigs[0]
	si := onlyChild(sig, "SignedInfo")
	if si == nil {
		return nil, errors.New("want one ds:SignedInfo")
	}
	if alg := algorithmOf(onlyChild(si, "CanonicalizationMethod")); alg != algExcC14N {
		return nil, fmt.Errorf("CanonicalizationMethod %q, want exc-c14n", alg)
	}
	if alg := algorithmOf(onlyChild(si, "SignatureMethod")); alg != dsig.RSASHA256SignatureMethod && alg != dsig.RSASHA1SignatureMethod {
		return nil, fmt.Errorf("SignatureMethod %q, want rsa-sha256 or rsa-sha1", alg)
	}
	refs := childrenNS(si, nsDS, "Reference")
	if len(refs) != 1 || refs[0].SelectAttrValue("URI", "") != "#"+id {
		return nil, fmt.Errorf("want one ds:Reference, to #%s", id)
	}
	var transforms []*etree.Element
	if ts := onlyChild(refs[0], "Transforms"); ts != nil {
		transforms = childrenNS(ts, nsDS, "Transform")
	}
	if len(transforms) != 2 || algorithmOf(transforms[0]) != algEnveloped || algorithmOf(transforms[1]) != algExcC14N {
		return nil, errors.New("want the enveloped-signature and exc-c14n transforms")
	}
	return sig, nil
}

// onlyChild returns el's child ds:local if there is exactly one, else nil.
func onlyChild(el *etree.Element, local string) *etree.Element {
	if c := childrenNS(el, nsDS, local); len(c) == 1 {
		return c[0]
	}
	return nil
}

// algorithmOf returns el's Algorithm attribute; "" for a nil el.
func algorithmOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return attrValue(el, "Algorithm")
}

// signingCerts picks the certificates to verify with: the trusted ones found
// in the signature's KeyInfo or, when KeyInfo names no certificate, all of
// them. A KeyInfo with certificates none of which is trusted fails.
func signingCerts(sig *etree.Element, trust []*x509.Certificate) ([]*x509.Certificate, error) {
	var found bool
	var certs []*x509.Certificate
	for _, ki := range childrenNS(sig, nsDS, "KeyInfo") {
		for _, data := range childrenNS(ki, nsDS, "X509Data") {
			for _, xc := range childrenNS(data, nsDS, "X509Certificate") {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(charData(xc)), ""))
				if err != nil {
					return nil, fmt.Errorf("KeyInfo certificate: %w", err)
				}
				found = true
				for _, c := range trust {
					if bytes.Equal(c.Raw, der) {
						certs = append(certs, c)
					}
				}
			}
		}
	}
	switch {
	case !found:
		return trust, nil
	case len(certs) == 0:
		return nil, errors.New("the KeyInfo certificate is not a trusted STS certificate")
	}
	return certs, nil
}
