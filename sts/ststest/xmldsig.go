package ststest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha1" // rsa-sha1 and sha1 digests stay selectable in the client
	_ "crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// XML namespaces of the STS exchange.
const (
	nsSOAP  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSSE  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
	nsEC    = "http://www.w3.org/2001/10/xml-exc-c14n#"
	nsSAMLP = "urn:oasis:names:tc:SAML:1.0:protocol"
	nsSAML  = "urn:oasis:names:tc:SAML:1.0:assertion"
	nsSOA   = "urn:be:fgov:ehealth:errors:soa:v1"
)

// XML-DSig algorithm URIs the STS accepts.
const (
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algEnveloped   = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA1        = "http://www.w3.org/2000/09/xmldsig#sha1"
)

type signatureMethod struct {
	hash  crypto.Hash
	ecdsa bool
}

var signatureMethods = map[string]signatureMethod{
	algRSASHA256:   {crypto.SHA256, false},
	algRSASHA1:     {crypto.SHA1, false},
	algECDSASHA256: {crypto.SHA256, true},
}

var digestMethods = map[string]crypto.Hash{
	algSHA256: crypto.SHA256,
	algSHA1:   crypto.SHA1,
}

// is reports whether el is the element {ns}local.
func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// children returns the child elements {ns}local of el.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// child returns the only child {ns}local of el, or nil if there is none or
// more than one (a duplicate is as bad as a missing element here).
func child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	if c := children(el, ns, local); len(c) == 1 {
		return c[0]
	}
	return nil
}

// path follows child() down a chain of {ns, local} steps.
func path(el *etree.Element, steps ...[2]string) *etree.Element {
	for _, s := range steps {
		el = child(el, s[0], s[1])
	}
	return el
}

// attrNS returns the value of the attribute {ns}local ("" for no namespace).
func attrNS(el *etree.Element, ns, local string) (string, bool) {
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Key != local || a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue
		}
		if (ns == "" && a.Space == "") || (ns != "" && a.Space != "" && a.NamespaceURI() == ns) {
			return a.Value, true
		}
	}
	return "", false
}

// signatureError is a failed cryptographic or structural signature check.
type signatureError struct{ msg string }

func (e *signatureError) Error() string { return e.msg }

func sigErrorf(format string, a ...any) error {
	return &signatureError{msg: fmt.Sprintf(format, a...)}
}

// verifySignature checks the ds:Signature sig. resolve maps each Reference URI
// to the element it covers; enveloped says whether the References must use
// the enveloped-signature transform before exc-c14n. Every Reference digest
// and then the SignatureValue over the canonical SignedInfo are checked with
// pub. It returns the referenced elements in Reference order.
func verifySignature(sig *etree.Element, resolve func(uri string) (*etree.Element, error), enveloped bool, pub crypto.PublicKey) ([]*etree.Element, error) {
	si := child(sig, nsDS, "SignedInfo")
	if si == nil {
		return nil, sigErrorf("no SignedInfo")
	}
	cm := child(si, nsDS, "CanonicalizationMethod")
	if cm == nil || cm.SelectAttrValue("Algorithm", "") != algExcC14N {
		return nil, sigErrorf("CanonicalizationMethod must be exc-c14n")
	}
	sm := child(si, nsDS, "SignatureMethod")
	if sm == nil {
		return nil, sigErrorf("no SignatureMethod")
	}
	method, ok := signatureMethods[sm.SelectAttrValue("Algorithm", "")]
	if !ok {
		return nil, sigErrorf("unsupported SignatureMethod %q", sm.SelectAttrValue("Algorithm", ""))
	}
	refs := children(si, nsDS, "Reference")
	if len(refs) == 0 {
		return nil, sigErrorf("no Reference")
	}
	covered := make([]*etree.Element, 0, len(refs))
	for _, ref := range refs {
		el, err := verifyReference(sig, ref, resolve, enveloped)
		if err != nil {
			return nil, err
		}
		covered = append(covered, el)
	}

	canonical, err := canonicalize(si, nil, inclusivePrefixes(cm))
	if err != nil {
		return nil, sigErrorf("canonicalize SignedInfo: %v", err)
	}
	sv := child(sig, nsDS, "SignatureValue")
	if sv == nil {
		return nil, sigErrorf("no SignatureValue")
	}
	value, err := decodeBase64(sv.Text())
	if err != nil {
		return nil, sigErrorf("SignatureValue: %v", err)
	}
	if err := checkSignatureValue(pub, method, canonical, value); err != nil {
		return nil, err
	}
	return covered, nil
}

func verifyReference(sig, ref *etree.Element, resolve func(string) (*etree.Element, error), enveloped bool) (*etree.Element, error) {
	uri := ref.SelectAttrValue("URI", "")
	el, err := resolve(uri)
	if err != nil {
		return nil, err
	}
	var transforms []*etree.Element
	if ts := child(ref, nsDS, "Transforms"); ts != nil {
		transforms = children(ts, nsDS, "Transform")
	}
	want := []string{algExcC14N}
	if enveloped {
		want = []string{algEnveloped, algExcC14N}
	}
	if len(transforms) != len(want) {
		return nil, sigErrorf("reference %s: want transforms %v", uri, want)
	}
	for i, t := range transforms {
		if t.SelectAttrValue("Algorithm", "") != want[i] {
			return nil, sigErrorf("reference %s: want transforms %v", uri, want)
		}
	}
	dm := child(ref, nsDS, "DigestMethod")
	if dm == nil {
		return nil, sigErrorf("reference %s: no DigestMethod", uri)
	}
	h, ok := digestMethods[dm.SelectAttrValue("Algorithm", "")]
	if !ok {
		return nil, sigErrorf("reference %s: unsupported DigestMethod %q", uri, dm.SelectAttrValue("Algorithm", ""))
	}
	dv := child(ref, nsDS, "DigestValue")
	if dv == nil {
		return nil, sigErrorf("reference %s: no DigestValue", uri)
	}
	want64, err := decodeBase64(dv.Text())
	if err != nil {
		return nil, sigErrorf("reference %s: DigestValue: %v", uri, err)
	}
	var drop *etree.Element
	if enveloped {
		drop = sig
	}
	canonical, err := canonicalize(el, drop, inclusivePrefixes(transforms[len(transforms)-1]))
	if err != nil {
		return nil, sigErrorf("reference %s: canonicalize: %v", uri, err)
	}
	d := h.New()
	d.Write(canonical)
	if subtle.ConstantTimeCompare(d.Sum(nil), want64) != 1 {
		return nil, sigErrorf("reference %s: digest mismatch", uri)
	}
	return el, nil
}

// inclusivePrefixes reads the ec:InclusiveNamespaces PrefixList of a
// CanonicalizationMethod or Transform.
func inclusivePrefixes(el *etree.Element) string {
	if in := child(el, nsEC, "InclusiveNamespaces"); in != nil {
		return in.SelectAttrValue("PrefixList", "")
	}
	return ""
}

// canonicalize returns the exc-c14n form of el as it stands in its document:
// the namespaces in scope are carried into a detached copy, and drop (a
// descendant, for the enveloped-signature transform) is left out.
func canonicalize(el, drop *etree.Element, prefixList string) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	cp, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	if drop != nil {
		// Find drop's copy by the same chain of child indexes.
		var idx []int
		for n := drop; n != el; n = n.Parent() {
			if n == nil {
				return nil, errors.New("enveloped signature is not inside the signed element")
			}
			idx = append(idx, n.Index())
		}
		parent := cp
		for i := len(idx) - 1; i > 0; i-- {
			next, ok := parent.Child[idx[i]].(*etree.Element)
			if !ok {
				return nil, errors.New("enveloped signature path broken")
			}
			parent = next
		}
		parent.RemoveChildAt(idx[0])
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList).Canonicalize(cp)
}

// checkSignatureValue verifies value over signed. ECDSA values must be the
// XML-DSig raw r||s form, each half the curve's byte size; DER is refused.
func checkSignatureValue(pub crypto.PublicKey, m signatureMethod, signed, value []byte) error {
	h := m.hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if m.ecdsa {
			return sigErrorf("ECDSA SignatureMethod with an RSA key")
		}
		if err := rsa.VerifyPKCS1v15(k, m.hash, digest, value); err != nil {
			return sigErrorf("RSA SignatureValue does not verify")
		}
		return nil
	case *ecdsa.PublicKey:
		if !m.ecdsa {
			return sigErrorf("RSA SignatureMethod with an EC key")
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(value) != 2*size {
			return sigErrorf("ECDSA SignatureValue is %d bytes, want raw r||s of %d", len(value), 2*size)
		}
		r := new(big.Int).SetBytes(value[:size])
		s := new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(k, digest, r, s) {
			return sigErrorf("ECDSA SignatureValue does not verify")
		}
		return nil
	default:
		return sigErrorf("unsupported public key %T", pub)
	}
}

// decodeBase64 decodes base64 text that may be wrapped over several lines.
func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}
