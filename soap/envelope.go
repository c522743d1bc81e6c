package soap

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/beevik/etree"
)

// WS-Security namespaces and token types (ehealth-protocol.md §4 and §12).
const (
	NSWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NSWSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
	NSWSU    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	NSSAML   = "urn:oasis:names:tc:SAML:1.0:assertion"

	ValueTypeX509v3          = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	EncodingBase64           = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
	TokenTypeSAML11          = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1"
	ValueTypeSAMLAssertionID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID"
)

// placeholderTag marks where SignSAML's assertion goes in the serialized
// envelope; it is no name any service uses.
const placeholderTag = "ehealth-tray-assertion"

// TimestampTTL is the life of the WS-Security Timestamp: the service refuses
// the request after it.
const TimestampTTL = 60 * time.Second

// Envelope is a SOAP 1.1 envelope being built. Its root declares the soap,
// wsse and wsu prefixes, which the content may use.
type Envelope struct {
	root, body *etree.Element
	// assertion is the SAML token put verbatim in the Security header in
	// place of the placeholder element (SignSAML).
	assertion []byte
}

// NewEnvelope returns an envelope with an empty soap:Body.
func NewEnvelope() *Envelope {
	root := etree.NewElement("soap:Envelope")
	root.CreateAttr("xmlns:soap", NSEnvelope)
	root.CreateAttr("xmlns:wsse", NSWSSE)
	root.CreateAttr("xmlns:wsu", NSWSU)
	return &Envelope{root: root, body: root.CreateElement("soap:Body")}
}

// Body is the soap:Body, for the caller to fill before signing.
func (e *Envelope) Body() *etree.Element { return e.body }

// security adds the soap:Header with its wsse:Security, and gives the Body
// its wsu:Id.
func (e *Envelope) security() (security *etree.Element, bodyID string) {
	header := etree.NewElement("soap:Header")
	e.root.InsertChildAt(0, header)
	security = header.CreateElement("wsse:Security")
	security.CreateAttr("soap:mustUnderstand", "1")
	bodyID = NewID("id-")
	e.body.CreateAttr("wsu:Id", bodyID)
	return security, bodyID
}

// timestamp appends a wsu:Timestamp living TimestampTTL from now.
func timestamp(security *etree.Element, now time.Time) (ts *etree.Element, id string) {
	id = NewID("TS-")
	ts = security.CreateElement("wsu:Timestamp")
	ts.CreateAttr("wsu:Id", id)
	ts.CreateElement("wsu:Created").SetText(XSDTime(now))
	ts.CreateElement("wsu:Expires").SetText(XSDTime(now.Add(TimestampTTL)))
	return ts, id
}

// SignX509 adds the WS-Security header of the STS request (§4a): a Timestamp,
// a BinarySecurityToken with s's certificate, and a signature by s over the
// Body, the Timestamp and the token, whose KeyInfo refers to the token. Call
// it once, after the Body is complete. It returns the Timestamp's end.
func (e *Envelope) SignX509(s Signer, alg Algorithm, now time.Time) (expires time.Time, err error) {
	security, bodyID := e.security()
	ts, tsID := timestamp(security, now)
	bstID := NewID("X509-")
	bst := security.CreateElement("wsse:BinarySecurityToken")
	bst.CreateAttr("EncodingType", EncodingBase64)
	bst.CreateAttr("ValueType", ValueTypeX509v3)
	bst.CreateAttr("wsu:Id", bstID)
	bst.SetText(base64.StdEncoding.EncodeToString(s.Certificate().Raw))

	ki := etree.NewElement("ds:KeyInfo")
	ref := ki.CreateElement("wsse:SecurityTokenReference").CreateElement("wsse:Reference")
	ref.CreateAttr("URI", "#"+bstID)
	ref.CreateAttr("ValueType", ValueTypeX509v3)
	err = Sign(security, len(security.Child), s, alg,
		[]Reference{{URI: bodyID, Element: e.body}, {URI: tsID, Element: ts}, {URI: bstID, Element: bst}}, ki)
	return now.Add(TimestampTTL), err
}

// SignSAML adds the WS-Security header of a call made with the session
// (§12): the SAML 1.1 assertion exactly as received, a Timestamp, and a
// signature by hok, the holder-of-key (eHealth authentication) key, over the
// Body and the Timestamp, whose KeyInfo is a SecurityTokenReference (TokenType
// SAMLV1.1) with a KeyIdentifier of ValueType SAMLAssertionID holding the
// AssertionID. assertion must stand alone (declare its namespaces, as the sts
// package's Assertion.Raw does). Call it once, after the Body is complete.
func (e *Envelope) SignSAML(hok crypto.Signer, alg Algorithm, assertion []byte, now time.Time) (expires time.Time, err error) {
	id, err := assertionID(assertion)
	if err != nil {
		return time.Time{}, err
	}
	security, bodyID := e.security()
	// Signed content is never re-serialized: Bytes puts the bytes in its place.
	security.CreateElement(placeholderTag)
	e.assertion = bytes.Clone(assertion)
	ts, tsID := timestamp(security, now)

	ki := etree.NewElement("ds:KeyInfo")
	str := ki.CreateElement("wsse:SecurityTokenReference")
	str.CreateAttr("xmlns:wsse11", NSWSSE11)
	str.CreateAttr("wsse11:TokenType", TokenTypeSAML11)
	kid := str.CreateElement("wsse:KeyIdentifier")
	kid.CreateAttr("ValueType", ValueTypeSAMLAssertionID)
	kid.SetText(id)
	err = Sign(security, len(security.Child), hok, alg,
		[]Reference{{URI: bodyID, Element: e.body}, {URI: tsID, Element: ts}}, ki)
	return now.Add(TimestampTTL), err
}

// assertionID checks that raw is one standalone saml:Assertion and returns
// its AssertionID.
func assertionID(raw []byte) (string, error) {
	if err := refuseDirectives(raw); err != nil {
		return "", &SignError{Err: err}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return "", &SignError{Err: fmt.Errorf("the session's assertion is not XML: %w", err)}
	}
	root := doc.Root()
	if root == nil || root.Tag != "Assertion" || root.NamespaceURI() != NSSAML || len(doc.ChildElements()) != 1 {
		return "", &SignError{Err: fmt.Errorf("the session's token is not one saml:Assertion")}
	}
	id := root.SelectAttrValue("AssertionID", "")
	if id == "" {
		return "", &SignError{Err: fmt.Errorf("the session's assertion has no AssertionID")}
	}
	return id, nil
}

// Bytes serializes the envelope, with an XML declaration.
func (e *Envelope) Bytes() ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(e.root)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, &SignError{Err: err}
	}
	if e.assertion != nil {
		out = bytes.Replace(out, []byte("<"+placeholderTag+"/>"), e.assertion, 1)
	}
	return out, nil
}
