package sts

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"ehealth-tray/cert"
	"ehealth-tray/i18n"
	"ehealth-tray/safefile"
	"ehealth-tray/soap"
)

// maxTrustFile caps the [sts] trust file: a few PEM certificates.
const maxTrustFile = 1 << 20

// LoadTrust reads the STS signing certificates from the PEM file pemPath
// (the config's [sts] trust), for ClientOptions.Trust. It may hold several,
// the old and the new one during a rollover. Blocks other than CERTIFICATE
// are ignored. A file that cannot be read or holds no certificate is a
// *soap.ConfigError.
func LoadTrust(pemPath string) ([]*x509.Certificate, error) {
	data, err := safefile.ReadFile(pemPath, maxTrustFile)
	if err != nil {
		return nil, &soap.ConfigError{Reason: "reading the STS trust file", Err: err}
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
			return nil, &soap.ConfigError{Reason: "certificate in STS trust file " + pemPath, Err: err}
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, &soap.ConfigError{Reason: "no PEM certificate in STS trust file " + pemPath}
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

// TrustExpiredError is an assertion whose signature verifies only with a
// trusted STS certificate that has expired: the [sts] trust file must get
// eHealth's new certificate in place of Cert.
type TrustExpiredError struct {
	Cert *x509.Certificate
}

func (e *TrustExpiredError) Error() string {
	return fmt.Sprintf("the STS answer verifies only with the trusted STS certificate %q (serial %s), which expired on %s: replace it in the [sts] trust file",
		e.Cert.Subject, e.Cert.SerialNumber, e.Cert.NotAfter.UTC().Format(time.DateOnly))
}

// Kind is the error kind shown by the CLI.
func (e *TrustExpiredError) Kind() string { return "sts-trust-expired" }

// Localize names the certificate to replace.
func (e *TrustExpiredError) Localize(l *i18n.Localizer) string {
	name, err := cert.DN(e.Cert.RawSubject)
	if err != nil {
		name = e.Cert.Subject.String()
	}
	return l.T("error.sts-trust-expired", map[string]any{"Subject": name, "Serial": e.Cert.SerialNumber.String(), "Date": l.Date(e.Cert.NotAfter)})
}

// verifyAssertion checks the enveloped signature of the assertion el (a
// detached element carrying its namespaces) with the trusted certificates
// and returns the element the signature covers, as goxmldsig reads it back
// from the verified canonical bytes: the session's values come from there.
// Certificates valid at now are tried first; a signature that verifies only
// with an expired one is a *TrustExpiredError. One not valid yet is not used.
func verifyAssertion(el *etree.Element, id string, trust []*x509.Certificate, now time.Time) (*etree.Element, error) {
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
	var valid, expired []*x509.Certificate
	for _, c := range certs {
		switch {
		case now.After(c.NotAfter):
			expired = append(expired, c)
		case !now.Before(c.NotBefore):
			valid = append(valid, c)
		}
	}
	errs := []error{fmt.Errorf("%d of the %d trusted STS certificates valid now", len(valid), len(certs))}
	for _, c := range valid {
		covered, err := verifyWith(el, c)
		if err == nil {
			return covered, nil
		}
		errs = append(errs, err)
	}
	for _, c := range expired {
		if _, err := verifyWith(el, c); err == nil {
			return nil, &TrustExpiredError{Cert: c}
		}
	}
	return nil, &STSSignatureError{Err: errors.Join(errs...)}
}

// verifyWith checks el's signature with c's key only. The clock goxmldsig
// would check c's validity with is not used: verifyAssertion sorts the
// certificates by validity itself.
func verifyWith(el *etree.Element, c *x509.Certificate) (*etree.Element, error) {
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
	ctx.IdAttribute = "AssertionID"
	ctx.Clock = dsig.NewFakeClockAt(c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / 2))
	return ctx.Validate(el)
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
			switch {
			case c.Tag == "Signature" && c.NamespaceURI() == nsDS:
				sigs = append(sigs, c)
			case c.Tag == "Assertion" && c.NamespaceURI() == nsSAML:
				// A nested assertion's own signature is part of the content.
				continue
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
	if alg := algorithmOf(onlyChild(si, "CanonicalizationMethod")); alg != soap.AlgExcC14N {
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
	if len(transforms) != 2 || algorithmOf(transforms[0]) != soap.AlgEnveloped || algorithmOf(transforms[1]) != soap.AlgExcC14N {
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
