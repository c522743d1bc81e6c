package ststest

import (
	"crypto/rand"
	"strings"
	"time"

	"github.com/beevik/etree"
)

const (
	stsIssuer     = "urn:be:fgov:ehealth:sts:1_0"
	amX509PKI     = "urn:oasis:names:tc:SAML:1.0:am:X509-PKI"
	statusSuccess = "samlp:Success"
	// defaultStatusCode answers FaultStatus when no code is given, and a
	// request for designators the STS does not know.
	defaultStatusCode = "samlp:Requester"
	// environment is what the fault detail names as the answering platform.
	environment = "Simulation"
	// notBeforeBackdate is how far the real STS puts NotBefore in the past.
	notBeforeBackdate = 5 * time.Minute
	// base64Line is where Java's XML security library wraps base64 text.
	base64Line = 76
)

// instant formats a SAML / xs:dateTime instant in UTC with milliseconds.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID returns a random XML ID (an NCName, hence the leading underscore).
func newID() string { return "_" + rand.Text() }

// newEnvelope starts a SOAP 1.1 envelope and returns the document and Body.
func newEnvelope() (*etree.Document, *etree.Element) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	env := doc.CreateElement("soapenv:Envelope")
	env.CreateAttr("xmlns:soapenv", nsSOAP)
	return doc, env.CreateElement("soapenv:Body")
}

// envelope wraps one element in a SOAP 1.1 envelope and serializes it.
func envelope(content *etree.Element) ([]byte, error) {
	doc, body := newEnvelope()
	body.AddChild(content)
	return doc.WriteToBytes()
}

// faultEnvelope is the SOAP fault of the eHealth ESB: the SOA code and its
// message in the faultstring and in a soa:SystemError detail, whose children
// are unqualified (errors:core:v1 ErrorType) except Environment.
func faultEnvelope(code, message string) ([]byte, error) {
	if message == "" {
		message = faultMessage(code)
	}
	faultCode, origin := "soapenv:Client", "Client"
	if strings.HasPrefix(code, "SOA-00") || strings.HasPrefix(code, "SOA-02") {
		faultCode, origin = "soapenv:Server", "Server"
	}
	f := etree.NewElement("soapenv:Fault")
	f.CreateElement("faultcode").SetText(faultCode)
	f.CreateElement("faultstring").SetText(message)
	se := f.CreateElement("detail").CreateElement("soa:SystemError")
	se.CreateAttr("xmlns:soa", nsSOA)
	se.CreateAttr("Id", newID())
	se.CreateElement("Origin").SetText(origin)
	se.CreateElement("Code").SetText(code)
	msg := se.CreateElement("Message")
	msg.CreateAttr("xml:lang", "en")
	msg.SetText(message)
	se.CreateElement("soa:Environment").SetText(environment)
	return envelope(f)
}

// samlResponse starts a samlp:Response with its Status.
func samlResponse(inResponseTo string, now time.Time, code, message string) *etree.Element {
	r := etree.NewElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", nsSAMLP)
	r.CreateAttr("MajorVersion", "1")
	r.CreateAttr("MinorVersion", "1")
	r.CreateAttr("ResponseID", newID())
	if inResponseTo != "" {
		r.CreateAttr("InResponseTo", inResponseTo)
	}
	r.CreateAttr("IssueInstant", instant(now))
	st := r.CreateElement("samlp:Status")
	st.CreateElement("samlp:StatusCode").CreateAttr("Value", code)
	if message != "" {
		st.CreateElement("samlp:StatusMessage").SetText(message)
	}
	return r
}

// statusEnvelope is a samlp:Response that refuses the request.
func statusEnvelope(inResponseTo string, now time.Time, code, message string) ([]byte, error) {
	if code == "" {
		code = defaultStatusCode
	}
	if message == "" {
		message = "The request was refused."
	}
	return envelope(samlResponse(inResponseTo, now, code, message))
}

// attribute is one saml:Attribute of the answer.
type attribute struct{ name, namespace, value string }

// answerAttributes are the identification attributes, then the certified
// attributes the request designated and the simulator has a value for.
func (o *Options) answerAttributes(req *request) []attribute {
	out := []attribute{
		{attrHolderSSIN, nsIdentification, req.ssin},
		{attrPersonSSIN, nsIdentification, req.ssin},
	}
	seen := map[string]bool{attrHolderSSIN: true, attrPersonSSIN: true}
	for _, d := range req.designators {
		if d.namespace != nsCertified || seen[d.name] {
			continue
		}
		seen[d.name] = true
		if v, ok := o.certifiedValue(d.name); ok {
			out = append(out, attribute{d.name, d.namespace, v})
		}
	}
	return out
}

// certifiedValue is Options.Attributes[name], else a value by the name's
// suffix: booleans are true, nihii11/givenname/surname come from Options.
func (o *Options) certifiedValue(name string) (string, bool) {
	if v, ok := o.Attributes[name]; ok {
		return v, true
	}
	var v string
	switch {
	case strings.HasSuffix(name, ":boolean"):
		v = "true"
	case strings.HasSuffix(name, ":nihii11"):
		v = o.NIHII
	case strings.HasSuffix(name, ":givenname"):
		v = o.GivenName
	case strings.HasSuffix(name, ":surname"):
		v = o.Surname
	}
	return v, v != ""
}

// decoy replaces the values of attrs with those a client must never use.
func decoy(attrs []attribute) []attribute {
	out := make([]attribute, len(attrs))
	for i, a := range attrs {
		switch {
		case a.namespace == nsIdentification:
			a.value = DecoySSIN
		case strings.HasSuffix(a.name, ":boolean"):
			a.value = "false"
		case strings.HasSuffix(a.name, ":nihii11"):
			a.value = DecoyNIHII
		default:
			a.value = "DECOY"
		}
		out[i] = a
	}
	return out
}

// assertionWindow is [NotBefore, NotOnOrAfter) of an answered assertion.
type assertionWindow struct{ notBefore, notOnOrAfter time.Time }

// indentation says whether and when a success answer is pretty-printed.
type indentation int

const (
	indentNone indentation = iota
	indentBeforeSigning
	indentAfterSigning
)

// success describes one success answer.
type success struct {
	req          *request
	inResponseTo string
	now          time.Time
	window       assertionWindow
	cred         *Credential
	alg          SignatureAlgorithm
	advice       bool // a decoy assertion in saml:Advice
	echo         bool // the request's assertion in SubjectConfirmationData
	second       bool // a decoy second top-level assertion
	indent       indentation
}

// answerBuilder builds the assertions of one answer and signs them.
type answerBuilder struct {
	sp success
	// unsigned are the assertions and their signature skeletons, innermost
	// first, so that an outer digest covers the inner signature.
	unsigned []signing
}

// successEnvelope answers a verified request with STS-signed assertions.
func (s *STS) successEnvelope(sp success) ([]byte, error) {
	b := &answerBuilder{sp: sp}
	doc, body := newEnvelope()
	r := samlResponse(sp.inResponseTo, sp.now, statusSuccess, "")
	body.AddChild(r)
	attrs := s.opts.answerAttributes(sp.req)
	var advice *etree.Element
	if sp.advice {
		decoyWindow := assertionWindow{sp.window.notBefore, sp.now.Add(time.Hour)}
		advice = b.assertion(decoyWindow, decoy(attrs), nil, nil)
	}
	r.AddChild(b.assertion(sp.window, attrs, advice, b.echo()))
	if sp.second {
		r.AddChild(b.assertion(sp.window, decoy(attrs), nil, nil))
	}
	if sp.indent == indentBeforeSigning {
		doc.Indent(2)
	}
	for _, u := range b.unsigned {
		if err := u.sign(sp.cred, sp.alg); err != nil {
			return nil, err
		}
	}
	if sp.indent == indentAfterSigning {
		doc.Indent(2)
	}
	return doc.WriteToBytes()
}

// echo is the request's holder-of-key assertion, for FaultNestedEcho.
func (b *answerBuilder) echo() *etree.Element {
	if !b.sp.echo {
		return nil
	}
	return b.sp.req.echo.Copy()
}

// assertion builds an unsigned assertion in the default namespace, as the
// real STS writes it, with an optional Advice content and echo in
// SubjectConfirmationData, and queues it for signing.
func (b *answerBuilder) assertion(w assertionWindow, attrs []attribute, advice, echo *etree.Element) *etree.Element {
	now := b.sp.now
	a := etree.NewElement("Assertion")
	a.CreateAttr("xmlns", nsSAML)
	a.CreateAttr("AssertionID", newID())
	a.CreateAttr("IssueInstant", instant(now))
	a.CreateAttr("Issuer", stsIssuer)
	a.CreateAttr("MajorVersion", "1")
	a.CreateAttr("MinorVersion", "1")
	c := a.CreateElement("Conditions")
	c.CreateAttr("NotBefore", instant(w.notBefore))
	c.CreateAttr("NotOnOrAfter", instant(w.notOnOrAfter))
	if advice != nil {
		a.CreateElement("Advice").AddChild(advice)
	}
	as := a.CreateElement("AuthenticationStatement")
	as.CreateAttr("AuthenticationInstant", instant(now))
	as.CreateAttr("AuthenticationMethod", amX509PKI)
	b.subject(as, true, echo)
	st := a.CreateElement("AttributeStatement")
	b.subject(st, false, nil)
	for _, at := range attrs {
		e := st.CreateElement("Attribute")
		e.CreateAttr("AttributeName", at.name)
		e.CreateAttr("AttributeNamespace", at.namespace)
		e.CreateElement("AttributeValue").SetText(at.value)
	}
	b.unsigned = append(b.unsigned, signing{assertion: a, sig: signatureSkeleton(a, b.sp.alg, b.sp.cred.Cert)})
	return a
}

// subject writes a Subject with the DNs as the STS re-renders them; the
// AuthenticationStatement's also confirms the holder-of-key certificate
// (the AttributeStatement's has the NameIdentifier only, as in real answers).
func (b *answerBuilder) subject(parent *etree.Element, confirm bool, echo *etree.Element) {
	req := b.sp.req
	sub := parent.CreateElement("Subject")
	n := sub.CreateElement("NameIdentifier")
	n.CreateAttr("Format", nameIDFormatX509)
	n.CreateAttr("NameQualifier", req.javaIssuer)
	n.SetText(req.javaSubject)
	if !confirm {
		return
	}
	sc := sub.CreateElement("SubjectConfirmation")
	sc.CreateElement("ConfirmationMethod").SetText(cmHolderOfKey)
	if echo != nil {
		sc.CreateElement("SubjectConfirmationData").AddChild(echo)
	}
	addX509KeyInfo(sc, req.hok.Raw)
}

// addX509KeyInfo adds ds:KeyInfo/ds:X509Data/ds:X509Certificate with the
// certificate wrapped over several lines.
func addX509KeyInfo(parent *etree.Element, der []byte) {
	ki := parent.CreateElement("ds:KeyInfo")
	if parent.Space != "ds" {
		ki.CreateAttr("xmlns:ds", nsDS)
	}
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(wrapBase64(der))
}
