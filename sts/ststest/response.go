package ststest

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/beevik/etree"
)

const (
	stsIssuer     = "urn:be:fgov:ehealth:sts:1_0"
	amX509PKI     = "urn:oasis:names:tc:SAML:1.0:am:X509-PKI"
	statusSuccess = "samlp:Success"
	// defaultStatusCode answers FaultStatus when no code is given.
	defaultStatusCode = "samlp:Requester"
	// environment is what the fault detail names as the answering platform.
	environment = "Simulation"
)

// instant formats a SAML / xs:dateTime instant in UTC with milliseconds.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID returns a random XML ID (an NCName, hence the leading underscore).
func newID() string { return "_" + rand.Text() }

// envelope wraps one element in a SOAP 1.1 envelope and serializes it.
func envelope(content *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	env := doc.CreateElement("soapenv:Envelope")
	env.CreateAttr("xmlns:soapenv", nsSOAP)
	env.CreateElement("soapenv:Body").AddChild(content)
	return doc.WriteToBytes()
}

// faultEnvelope is the SOAP fault of the eHealth ESB: the SOA code and its
// message in the faultstring and in a soa:SystemError detail, whose children
// are unqualified (errors:core:v1 ErrorType) except Environment.
func faultEnvelope(code, message string) ([]byte, error) {
	if message == "" {
		message = faultMessage(code)
	}
	faultCode := "soapenv:Client"
	if strings.HasPrefix(code, "SOA-00") || strings.HasPrefix(code, "SOA-02") {
		faultCode = "soapenv:Server"
	}
	f := etree.NewElement("soapenv:Fault")
	f.CreateElement("faultcode").SetText(faultCode)
	f.CreateElement("faultstring").SetText(message)
	se := f.CreateElement("detail").CreateElement("soa:SystemError")
	se.CreateAttr("xmlns:soa", nsSOA)
	se.CreateAttr("Id", newID())
	origin := "Client"
	if faultCode == "soapenv:Server" {
		origin = "Server"
	}
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
	r.CreateAttr("xmlns:saml", nsSAML)
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

// addSubject writes the holder-of-key saml:Subject of the answer.
func addSubject(parent *etree.Element, req *request) {
	sub := parent.CreateElement("saml:Subject")
	n := sub.CreateElement("saml:NameIdentifier")
	n.CreateAttr("Format", nameIDFormatX509)
	n.CreateAttr("NameQualifier", req.nameQualifier)
	n.SetText(req.nameID)
	sc := sub.CreateElement("saml:SubjectConfirmation")
	sc.CreateElement("saml:ConfirmationMethod").SetText(cmHolderOfKey)
	ki := sc.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", nsDS)
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(req.hok.Raw))
}

// assertionWindow is [NotBefore, NotOnOrAfter) of an answered assertion.
type assertionWindow struct{ notBefore, notOnOrAfter time.Time }

// successEnvelope answers a verified request with an STS-signed assertion.
func (s *Server) successEnvelope(req *request, inResponseTo string, now time.Time, w assertionWindow) ([]byte, error) {
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsSAML)
	a.CreateAttr("MajorVersion", "1")
	a.CreateAttr("MinorVersion", "1")
	a.CreateAttr("AssertionID", newID())
	a.CreateAttr("Issuer", stsIssuer)
	a.CreateAttr("IssueInstant", instant(now))
	c := a.CreateElement("saml:Conditions")
	c.CreateAttr("NotBefore", instant(w.notBefore))
	c.CreateAttr("NotOnOrAfter", instant(w.notOnOrAfter))
	as := a.CreateElement("saml:AuthenticationStatement")
	as.CreateAttr("AuthenticationInstant", instant(now))
	as.CreateAttr("AuthenticationMethod", amX509PKI)
	addSubject(as, req)
	st := a.CreateElement("saml:AttributeStatement")
	addSubject(st, req)
	for _, at := range s.opts.answerAttributes(req) {
		e := st.CreateElement("saml:Attribute")
		e.CreateAttr("AttributeName", at.name)
		e.CreateAttr("AttributeNamespace", at.namespace)
		e.CreateElement("saml:AttributeValue").SetText(at.value)
	}
	// SignEnveloped appends ds:Signature last, where SAML 1.1 wants it.
	signed, err := s.signer.SignEnveloped(a)
	if err != nil {
		return nil, err
	}
	r := samlResponse(inResponseTo, now, statusSuccess, "")
	r.AddChild(signed)
	return envelope(r)
}
