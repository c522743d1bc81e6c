package sts

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"ehealth-tray/session"
	"ehealth-tray/soap"
)

// Elements the scan looks for; each counts only at its place in the envelope.
var (
	nameEnvelope  = xml.Name{Space: nsSOAP, Local: "Envelope"}
	nameBody      = xml.Name{Space: nsSOAP, Local: "Body"}
	nameFault     = xml.Name{Space: nsSOAP, Local: "Fault"}
	nameResponse  = xml.Name{Space: nsSAMLP, Local: "Response"}
	nameStatus    = xml.Name{Space: nsSAMLP, Local: "Status"}
	nameAssertion = xml.Name{Space: nsSAML, Local: "Assertion"}
	// Where an assertion may nest another (not an answer, never read).
	nameAdvice           = xml.Name{Space: nsSAML, Local: "Advice"}
	nameConfirmationData = xml.Name{Space: nsSAML, Local: "SubjectConfirmationData"}
)

// ResponseError is an STS answer that cannot be used: not XML, not SOAP, not
// for our request, or missing what a session needs.
type ResponseError struct {
	Reason string
	Err    error
}

func (e *ResponseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("bad STS response: %s: %v", e.Reason, e.Err)
	}
	return "bad STS response: " + e.Reason
}

func (e *ResponseError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *ResponseError) Kind() string { return "sts-response" }

// ParseResponse reads the STS's SOAP answer to the request requestID without
// checking the STS signature (VerifyResponse does). It returns the assertion,
// or an *STSFault, *STSStatusError or *ResponseError.
//
// The assertion is the one that is a direct child of the samlp:Response in
// the SOAP Body; assertions nested inside it (SAML Advice, an echo in
// SubjectConfirmationData) are not answers, and their values are never used.
// Even so it refuses the shapes of a signature-wrapping attack: exactly one
// such assertion, no assertion anywhere else, an AssertionID used nowhere
// else, and the validity read from that assertion's own single
// saml:Conditions child.
func ParseResponse(body []byte, requestID string) (*session.Assertion, error) {
	return parseResponse(body, requestID, nil, time.Now())
}

// VerifyResponse is ParseResponse plus the check of the assertion's enveloped
// signature against trust, the STS signing certificates (LoadTrust). The
// assertion's values are then read from what the signature covers. A bad
// signature is an *STSSignatureError, one that verifies only with a trusted
// certificate expired at now a *TrustExpiredError; an empty trust a
// *soap.ConfigError.
func VerifyResponse(body []byte, requestID string, trust []*x509.Certificate, now time.Time) (*session.Assertion, error) {
	if len(trust) == 0 {
		return nil, &soap.ConfigError{Reason: "no trusted STS certificate to verify the answer with"}
	}
	return parseResponse(body, requestID, trust, now)
}

// parseResponse verifies the signature only when trust is not empty.
func parseResponse(body []byte, requestID string, trust []*x509.Certificate, now time.Time) (*session.Assertion, error) {
	if len(body) > soap.MaxAnswer {
		return nil, &soap.TooLargeError{Limit: soap.MaxAnswer}
	}
	p, err := scanResponse(body)
	if err != nil {
		return nil, err
	}
	switch {
	case p.fault != nil:
		return nil, &STSFault{Code: p.fault.Code, Message: p.fault.Message}
	case p.response == nil:
		return nil, &ResponseError{Reason: "no samlp:Response or SOAP Fault in the body"}
	}
	r := p.response
	// A refusal is shown as eHealth worded it, whatever its InResponseTo:
	// nothing from it is used. Only a success must answer our request.
	if !strings.Contains(r.Status.Code.Value, "Success") {
		code := r.Status.Code.Value
		if sub := r.Status.Code.Sub; sub != nil && sub.Value != "" {
			code += "/" + sub.Value
		}
		return nil, &STSStatusError{Code: code, Message: strings.TrimSpace(r.Status.Message)}
	}
	if r.InResponseTo != requestID {
		return nil, &ResponseError{Reason: fmt.Sprintf("InResponseTo %q does not match our request %q", r.InResponseTo, requestID)}
	}
	a := p.assertion
	switch {
	case p.stray > 0:
		return nil, &ResponseError{Reason: "a saml:Assertion outside the samlp:Response's assertion"}
	case p.assertions == 0:
		return nil, &ResponseError{Reason: "success without a saml:Assertion in the samlp:Response"}
	case p.assertions > 1:
		return nil, &ResponseError{Reason: fmt.Sprintf("%d saml:Assertion elements in the samlp:Response, want exactly one", p.assertions)}
	case a.id == "":
		return nil, &ResponseError{Reason: "assertion without AssertionID"}
	case p.ids[a.id] != 1:
		return nil, &ResponseError{Reason: fmt.Sprintf("AssertionID %q is used %d times", a.id, p.ids[a.id])}
	}
	raw := a.standalone(body[a.start:a.end])
	el, err := parseAssertion(raw)
	if err != nil {
		return nil, err
	}
	if len(trust) > 0 {
		if el, err = verifyAssertion(el, a.id, trust, now); err != nil {
			return nil, err
		}
	}
	return assertionFrom(el, a.id, r.InResponseTo, raw)
}

// parsed is what one pass over the response body finds.
type parsed struct {
	fault    *soap.Fault
	response *samlResponse
	// assertions counts the saml:Assertion children of the samlp:Response;
	// assertion is the first one. stray counts those neither such a child
	// nor nested where an assertion may be (nestedAllowed).
	assertions int
	stray      int
	assertion  *rawAssertion
	// ids counts the AssertionID attributes, of any element, by value.
	ids map[string]int
}

// rawAssertion is where the first saml:Assertion child of the
// samlp:Response sits in the body.
type rawAssertion struct {
	// start and end delimit the element's bytes.
	start, end int64
	// depth is the element's nesting depth (the root's is 1).
	depth int
	id    string
	// scope holds the namespace declarations of its ancestors, outermost
	// first; own those of its start tag.
	scope, own []xml.Attr
}

// open is an element the scan is inside of.
type open struct {
	name xml.Name
	// ns holds its namespace declarations.
	ns []xml.Attr
}

// scanResponse walks the body once with encoding/xml, so that the offsets of
// the assertion (kept verbatim in Assertion.Raw) come from the same pass that
// finds it. A DOCTYPE is refused outright. Nothing is skipped: every element,
// even inside a fault or the status, is seen and counted.
func scanResponse(body []byte) (*parsed, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	p := parsed{ids: make(map[string]int)}
	var stack []open
	// capture collects the tokens of a fault or status being read.
	var capture *tokenCapture
	sawRoot := false
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ResponseError{Reason: "malformed XML", Err: err}
		}
		if capture != nil {
			capture.add(tok)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &ResponseError{Reason: "DOCTYPE or other directive not allowed"}
		case xml.StartElement:
			if len(stack) == 0 {
				if sawRoot {
					return nil, &ResponseError{Reason: "more than one root element"}
				}
				sawRoot = true
				if t.Name != nameEnvelope {
					return nil, &ResponseError{Reason: fmt.Sprintf("root element is {%s}%s, not a SOAP 1.1 Envelope", t.Name.Space, t.Name.Local)}
				}
			}
			if err := p.start(t, stack, offset, &capture); err != nil {
				return nil, err
			}
			stack = append(stack, open{name: t.Name, ns: namespaceDecls(t.Attr)})
		case xml.EndElement:
			if a := p.assertion; a != nil && a.end == 0 && len(stack) == a.depth {
				a.end = d.InputOffset()
			}
			stack = stack[:len(stack)-1]
			if capture != nil && len(stack) == capture.depth {
				if err := capture.decode(); err != nil {
					return nil, &ResponseError{Reason: "malformed XML", Err: err}
				}
				capture = nil
			}
		}
	}
	if !sawRoot {
		return nil, &ResponseError{Reason: "empty body"}
	}
	return &p, nil
}

// start notes the element t, opened at offset inside the elements stack.
// It starts capturing the first SOAP Fault or the samlp:Status.
func (p *parsed) start(t xml.StartElement, stack []open, offset int64, capture **tokenCapture) error {
	seen := make(map[xml.Name]bool, len(t.Attr))
	for _, a := range t.Attr {
		if seen[a.Name] {
			return &ResponseError{Reason: fmt.Sprintf("duplicate attribute %s on %s", a.Name.Local, t.Name.Local)}
		}
		seen[a.Name] = true
		if a.Name.Local == "AssertionID" {
			p.ids[a.Value]++
		}
	}
	inBody := at(stack, nameEnvelope, nameBody)
	inResponse := p.response != nil && at(stack, nameEnvelope, nameBody, nameResponse)
	switch {
	case t.Name == nameAssertion && inResponse:
		p.assertions++
		if p.assertion == nil {
			p.assertion = &rawAssertion{start: offset, depth: len(stack) + 1, id: unqualifiedAttr(t.Attr, "AssertionID"), own: namespaceDecls(t.Attr)}
			for _, o := range stack {
				p.assertion.scope = append(p.assertion.scope, o.ns...)
			}
		}
	case t.Name == nameAssertion && !p.nestedAllowed(stack):
		p.stray++
	case t.Name == nameFault && inBody && p.fault == nil:
		p.fault = new(soap.Fault)
		*capture = newTokenCapture(t, len(stack), p.fault)
	case t.Name == nameResponse && inBody:
		if p.response != nil {
			return &ResponseError{Reason: "more than one samlp:Response"}
		}
		p.response = &samlResponse{InResponseTo: unqualifiedAttr(t.Attr, "InResponseTo")}
	case t.Name == nameStatus && inResponse:
		if p.response.sawStatus {
			return &ResponseError{Reason: "more than one samlp:Status"}
		}
		p.response.sawStatus = true
		*capture = newTokenCapture(t, len(stack), &p.response.Status)
	}
	return nil
}

// nestedAllowed reports whether an assertion opened inside the open
// elements is one the answer may nest: inside the samlp:Response's (first)
// assertion, still open, in a SAML Advice or SubjectConfirmationData.
// Anywhere else (a ds:Object, a wrapper) it is a wrapping attempt.
func (p *parsed) nestedAllowed(stack []open) bool {
	a := p.assertion
	if a == nil || a.end != 0 || len(stack) < a.depth {
		return false
	}
	parent := stack[len(stack)-1].name
	return parent == nameAdvice || parent == nameConfirmationData
}

// at reports whether the open elements are exactly path.
func at(stack []open, path ...xml.Name) bool {
	if len(stack) != len(path) {
		return false
	}
	for i, o := range stack {
		if o.name != path[i] {
			return false
		}
	}
	return true
}

func unqualifiedAttr(attrs []xml.Attr, local string) string {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// namespaceDecls returns the xmlns and xmlns:prefix attributes, which the
// decoder hands over untranslated.
func namespaceDecls(attrs []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			out = append(out, a)
		}
	}
	return out
}

// tokenCapture records the tokens of one element so that it can be decoded
// into a struct while the scan goes on through its descendants (decoding it
// from the scan's decoder would skip them unseen).
type tokenCapture struct {
	into   any
	depth  int
	tokens []xml.Token
}

func newTokenCapture(t xml.StartElement, depth int, into any) *tokenCapture {
	c := &tokenCapture{into: into, depth: depth}
	c.add(t)
	return c
}

// add keeps a copy of tok. Names are already resolved to namespace URIs, so
// the declarations are dropped: the replay must not resolve them again.
func (c *tokenCapture) add(tok xml.Token) {
	tok = xml.CopyToken(tok)
	if t, ok := tok.(xml.StartElement); ok {
		attrs := t.Attr[:0]
		for _, a := range t.Attr {
			if a.Name.Space != "xmlns" && (a.Name.Space != "" || a.Name.Local != "xmlns") {
				attrs = append(attrs, a)
			}
		}
		t.Attr = attrs
		tok = t
	}
	c.tokens = append(c.tokens, tok)
}

func (c *tokenCapture) decode() error {
	return xml.NewTokenDecoder(c).Decode(c.into)
}

// Token replays the captured tokens (xml.TokenReader).
func (c *tokenCapture) Token() (xml.Token, error) {
	if len(c.tokens) == 0 {
		return nil, io.EOF
	}
	tok := c.tokens[0]
	c.tokens = c.tokens[1:]
	return tok, nil
}

// parseAssertion parses raw, the assertion's standalone bytes, into a
// detached element whose canonical form is the one the STS signed.
func parseAssertion(raw []byte) (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, &ResponseError{Reason: "malformed assertion", Err: err}
	}
	el, err := etreeutils.NSDetatch(etreeutils.NewDefaultNSContext(), doc.Root())
	if err != nil {
		return nil, &ResponseError{Reason: "namespaces of the assertion", Err: err}
	}
	return el, nil
}

type samlResponse struct {
	InResponseTo string
	sawStatus    bool
	Status       struct {
		Code    statusCode `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusCode"`
		Message string     `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusMessage"`
	}
}

type statusCode struct {
	Value string      `xml:"Value,attr"`
	Sub   *statusCode `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusCode"`
}

// assertionFrom reads the session's facts from el: with trust, the element
// the STS signature covers; without, the assertion as received. Only el's
// own children count, so nothing nested deeper can stand in for them.
func assertionFrom(el *etree.Element, id, inResponseTo string, raw []byte) (*session.Assertion, error) {
	if el.Tag != "Assertion" || el.NamespaceURI() != nsSAML || attrValue(el, "AssertionID") != id {
		return nil, &ResponseError{Reason: "the assertion read is not the one found"}
	}
	conditions := childrenNS(el, nsSAML, "Conditions")
	if len(conditions) != 1 {
		return nil, &ResponseError{Reason: fmt.Sprintf("%d saml:Conditions in the assertion, want exactly one", len(conditions))}
	}
	notBefore, err := time.Parse(time.RFC3339Nano, attrValue(conditions[0], "NotBefore"))
	if err != nil {
		return nil, &ResponseError{Reason: "assertion Conditions NotBefore", Err: err}
	}
	notOnOrAfter, err := time.Parse(time.RFC3339Nano, attrValue(conditions[0], "NotOnOrAfter"))
	if err != nil {
		return nil, &ResponseError{Reason: "assertion Conditions NotOnOrAfter", Err: err}
	}
	attrs := make(map[string]string)
	for _, st := range childrenNS(el, nsSAML, "AttributeStatement") {
		for _, at := range childrenNS(st, nsSAML, "Attribute") {
			if values := childrenNS(at, nsSAML, "AttributeValue"); len(values) > 0 {
				attrs[attrValue(at, "AttributeName")] = strings.TrimSpace(charData(values[0]))
			}
		}
	}
	return &session.Assertion{
		ID:           id,
		Issuer:       attrValue(el, "Issuer"),
		InResponseTo: inResponseTo,
		NotBefore:    notBefore,
		NotOnOrAfter: notOnOrAfter,
		Attributes:   attrs,
		Raw:          bytes.Clone(raw),
	}, nil
}

// childrenNS returns el's child elements {ns}local.
func childrenNS(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// attrValue returns el's unqualified attribute key ("" if absent).
func attrValue(el *etree.Element, key string) string {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value
		}
	}
	return ""
}

// charData joins el's own text, split or not by comments.
func charData(el *etree.Element) string {
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// NIHIIMismatch compares the NIHII number the STS certified (the
// "...nihii11" attribute) with the configured one (the INAMI number of the
// settings), digits only. A missing
// attribute counts as a mismatch unless none is configured either.
func NIHIIMismatch(a *session.Assertion, nihii string) (returned string, mismatch bool) {
	if a != nil {
		for name, v := range a.Attributes {
			if strings.HasSuffix(name, ":nihii11") {
				returned = v
				break
			}
		}
	}
	return returned, digits(returned) != digits(nihii)
}

func digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// standalone returns raw, the assertion's bytes, with the namespace
// declarations it inherits from the Response added to its start tag, so that
// it can be embedded elsewhere (soap.Envelope.SignSAML). Exclusive C14N
// renders a namespace the same whether declared there or inherited, so the
// STS signature still verifies; nothing else is touched.
func (a *rawAssertion) standalone(raw []byte) []byte {
	inherited := map[string]string{}
	for _, ns := range a.scope {
		inherited[nsPrefix(ns)] = ns.Value
	}
	for _, ns := range a.own {
		delete(inherited, nsPrefix(ns))
	}
	if len(inherited) == 0 {
		return raw
	}
	var decls bytes.Buffer
	for _, prefix := range slices.Sorted(maps.Keys(inherited)) {
		name := "xmlns"
		if prefix != "" {
			name += ":" + prefix
		}
		decls.WriteString(" " + name + `="`)
		_ = xml.EscapeText(&decls, []byte(inherited[prefix])) // a bytes.Buffer never fails
		decls.WriteString(`"`)
	}
	// raw starts with "<" and the element's name.
	end := bytes.IndexAny(raw, " \t\r\n/>")
	if end < 0 {
		return raw
	}
	return slices.Concat(raw[:end], decls.Bytes(), raw[end:])
}

// nsPrefix is the prefix a namespace declaration declares ("" for the default).
func nsPrefix(ns xml.Attr) string {
	if ns.Name.Space == "xmlns" {
		return ns.Name.Local
	}
	return ""
}
