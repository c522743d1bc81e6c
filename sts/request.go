package sts

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/cert"
)

// Namespaces of the request (ehealth-protocol.md §3–4).
const (
	nsSOAP  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSSE  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsSAMLP = "urn:oasis:names:tc:SAML:1.0:protocol"
	nsSAML  = "urn:oasis:names:tc:SAML:1.0:assertion"

	valueTypeX509v3   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	encodingBase64    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
	formatX509Subject = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
	cmHolderOfKey     = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"

	nsIdentification = "urn:be:fgov:identification-namespace"
	nsCertified      = "urn:be:fgov:certified-namespace:ehealth"
)

// DefaultValidity is the session length asked for when RequestParams.Validity
// is zero; the STS may return a shorter one.
const DefaultValidity = 24 * time.Hour

// timestampTTL is the life of the WS-Security Timestamp.
const timestampTTL = 60 * time.Second

// RequestParams is what a signed STS request is built from.
type RequestParams struct {
	// Identification signs the WS-Security header: the eID card, or the
	// keystore key in the fallback procedure.
	Identification Signer
	// HOK is the eHealth keystore's authentication key; it signs the inner
	// Request signature and its certificate is the holder-of-key.
	HOK  Signer
	SSIN string
	// Quality is the profession: doctor, physiotherapist, nurse, dentist or midwife.
	Quality string
	// Validity is the session length asked for (DefaultValidity when zero).
	Validity time.Duration
	// SignatureMethod for RSA keys: SignatureRSASHA256 (default) or
	// SignatureRSASHA1. EC keys always use ecdsa-sha256.
	SignatureMethod string
	// Now is the issue instant (time.Now when zero).
	Now time.Time
}

// SignedRequest is a SOAP envelope ready to post to the STS.
type SignedRequest struct {
	RequestID string
	Envelope  []byte
	// Expires is the WS-Security Timestamp's end: the STS refuses the
	// request after it (Created + 60 s, Created being taken before signing,
	// so a slow PIN entry eats into it).
	Expires time.Time
}

// Designator is a SAML AttributeDesignator: an attribute asked of the STS.
type Designator struct {
	Namespace string
	Name      string
}

// Identification attributes: asserted with the SSIN, and asked back.
var identificationDesignators = []Designator{
	{nsIdentification, "urn:be:fgov:ehealth:1.0:certificateholder:person:ssin"},
	{nsIdentification, "urn:be:fgov:person:ssin"},
}

// Designators returns the attributes asked for a profession (§5): the two
// identification attributes, then the profession's certified ones.
func Designators(quality string) ([]Designator, error) {
	const p = "urn:be:fgov:person:ssin:ehealth:1.0:"
	var certified []string
	switch quality {
	case "doctor":
		certified = []string{
			"urn:be:fgov:person:ssin:doctor:boolean",
			p + "doctor:nihii11",
			p + "givenname",
			p + "surname",
			p + "fpsph:doctor:boolean",
		}
	case "physiotherapist", "nurse", "dentist", "midwife":
		certified = []string{
			p + "professional:" + quality + ":boolean",
			p + "nihii:" + quality + ":nihii11",
			p + "givenname",
			p + "surname",
			p + "fpsph:" + quality + ":boolean",
		}
	default:
		return nil, &RequestError{Reason: fmt.Sprintf("unknown quality %q (want doctor, physiotherapist, nurse, dentist or midwife)", quality)}
	}
	out := append([]Designator(nil), identificationDesignators...)
	for _, name := range certified {
		out = append(out, Designator{nsCertified, name})
	}
	return out, nil
}

// BuildRequest builds the SAML 1.1 attribute query, signs the Request with
// the HOK key and the WS-Security header with the identification key, and
// serializes the envelope.
func BuildRequest(p RequestParams) (*SignedRequest, error) {
	if p.Identification == nil || p.HOK == nil {
		return nil, &RequestError{Reason: "missing identification or holder-of-key signer"}
	}
	idCert, hokCert := p.Identification.Certificate(), p.HOK.Certificate()
	if idCert == nil || hokCert == nil {
		return nil, &RequestError{Reason: "signer without certificate"}
	}
	if !isSSIN(p.SSIN) {
		return nil, &RequestError{Reason: fmt.Sprintf("SSIN %q is not 11 digits", p.SSIN)}
	}
	designators, err := Designators(p.Quality)
	if err != nil {
		return nil, err
	}
	idAlg, err := algorithmFor(p.Identification, p.SignatureMethod)
	if err != nil {
		return nil, err
	}
	hokAlg, err := algorithmFor(p.HOK, p.SignatureMethod)
	if err != nil {
		return nil, err
	}
	// Java's RFC 1779 form of the names (§3).
	subject, err := cert.DN(idCert.RawSubject)
	if err != nil {
		return nil, &RequestError{Reason: "identification certificate subject", Err: err}
	}
	issuer, err := cert.DN(idCert.RawIssuer)
	if err != nil {
		return nil, &RequestError{Reason: "identification certificate issuer", Err: err}
	}
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	validity := p.Validity
	if validity <= 0 {
		validity = DefaultValidity
	}

	env := etree.NewElement("soap:Envelope")
	env.CreateAttr("xmlns:soap", nsSOAP)
	env.CreateAttr("xmlns:wsse", nsWSSE)
	env.CreateAttr("xmlns:wsu", nsWSU)
	security := env.CreateElement("soap:Header").CreateElement("wsse:Security")
	security.CreateAttr("soap:mustUnderstand", "1")
	body := env.CreateElement("soap:Body")
	bodyID := newID("id-")
	body.CreateAttr("wsu:Id", bodyID)

	requestID := newID("_")
	request := buildQuery(body, queryParams{
		requestID:   requestID,
		now:         now,
		validity:    validity,
		subject:     subject,
		issuer:      issuer,
		ssin:        p.SSIN,
		hokCert:     hokCert,
		designators: designators,
	})
	// The inner signature comes first: the header signature covers the Body
	// that holds it (and the eID PIN is only asked once the keystore signed).
	if err := insertSignature(request, 0, p.HOK, hokAlg,
		[]reference{{uri: requestID, el: request, enveloped: true}},
		x509KeyInfo(hokCert)); err != nil {
		return nil, err
	}

	tsID, bstID := newID("TS-"), newID("X509-")
	ts := security.CreateElement("wsu:Timestamp")
	ts.CreateAttr("wsu:Id", tsID)
	ts.CreateElement("wsu:Created").SetText(xsdTime(now))
	ts.CreateElement("wsu:Expires").SetText(xsdTime(now.Add(timestampTTL)))
	bst := security.CreateElement("wsse:BinarySecurityToken")
	bst.CreateAttr("EncodingType", encodingBase64)
	bst.CreateAttr("ValueType", valueTypeX509v3)
	bst.CreateAttr("wsu:Id", bstID)
	bst.SetText(base64.StdEncoding.EncodeToString(idCert.Raw))
	if err := insertSignature(security, len(security.Child), p.Identification, idAlg,
		[]reference{{uri: bodyID, el: body}, {uri: tsID, el: ts}, {uri: bstID, el: bst}},
		tokenKeyInfo(bstID)); err != nil {
		return nil, err
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(env)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, &RequestError{Reason: "serializing", Err: err}
	}
	return &SignedRequest{RequestID: requestID, Envelope: out, Expires: now.Add(timestampTTL)}, nil
}

type queryParams struct {
	requestID       string
	now             time.Time
	validity        time.Duration
	subject, issuer string
	ssin            string
	hokCert         *x509.Certificate
	designators     []Designator
}

// buildQuery appends the samlp:Request (§3) to body and returns it.
func buildQuery(body *etree.Element, q queryParams) *etree.Element {
	req := body.CreateElement("samlp:Request")
	req.CreateAttr("xmlns:samlp", nsSAMLP)
	req.CreateAttr("xmlns:saml", nsSAML)
	req.CreateAttr("MajorVersion", "1")
	req.CreateAttr("MinorVersion", "1")
	req.CreateAttr("RequestID", q.requestID)
	req.CreateAttr("IssueInstant", xsdTime(q.now))

	query := req.CreateElement("samlp:AttributeQuery")
	subj := query.CreateElement("saml:Subject")
	nameIdentifier(subj, q.subject, q.issuer)
	conf := subj.CreateElement("saml:SubjectConfirmation")
	conf.CreateElement("saml:ConfirmationMethod").SetText(cmHolderOfKey)

	a := conf.CreateElement("saml:SubjectConfirmationData").CreateElement("saml:Assertion")
	a.CreateAttr("MajorVersion", "1")
	a.CreateAttr("MinorVersion", "1")
	a.CreateAttr("AssertionID", newID("_"))
	a.CreateAttr("IssueInstant", xsdTime(q.now))
	a.CreateAttr("Issuer", q.subject)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", xsdTime(q.now))
	cond.CreateAttr("NotOnOrAfter", xsdTime(q.now.Add(q.validity)))
	stmt := a.CreateElement("saml:AttributeStatement")
	nameIdentifier(stmt.CreateElement("saml:Subject"), q.subject, q.issuer)
	for _, d := range identificationDesignators {
		attr := stmt.CreateElement("saml:Attribute")
		attr.CreateAttr("AttributeName", d.Name)
		attr.CreateAttr("AttributeNamespace", d.Namespace)
		attr.CreateElement("saml:AttributeValue").SetText(q.ssin)
	}
	hok := x509KeyInfo(q.hokCert)
	hok.CreateAttr("xmlns:ds", nsDS) // outside any ds:Signature here
	conf.AddChild(hok)

	for _, d := range q.designators {
		ad := query.CreateElement("saml:AttributeDesignator")
		ad.CreateAttr("AttributeName", d.Name)
		ad.CreateAttr("AttributeNamespace", d.Namespace)
	}
	return req
}

func nameIdentifier(subject *etree.Element, subjectDN, issuerDN string) {
	ni := subject.CreateElement("saml:NameIdentifier")
	ni.CreateAttr("Format", formatX509Subject)
	ni.CreateAttr("NameQualifier", issuerDN)
	ni.SetText(subjectDN)
}

// x509KeyInfo is a ds:KeyInfo carrying c.
func x509KeyInfo(c *x509.Certificate) *etree.Element {
	ki := etree.NewElement("ds:KeyInfo")
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(c.Raw))
	return ki
}

// tokenKeyInfo points the header signature at the BinarySecurityToken.
func tokenKeyInfo(bstID string) *etree.Element {
	ki := etree.NewElement("ds:KeyInfo")
	ref := ki.CreateElement("wsse:SecurityTokenReference").CreateElement("wsse:Reference")
	ref.CreateAttr("URI", "#"+bstID)
	ref.CreateAttr("ValueType", valueTypeX509v3)
	return ki
}

// newID returns a fresh XML ID (an NCName: prefix starts with a letter or _).
func newID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + hex.EncodeToString(b)
}

// xsdTime formats t as an xsd:dateTime in UTC with milliseconds.
func xsdTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func isSSIN(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// RequestError is a request that cannot be built from the given parameters.
type RequestError struct {
	Reason string
	Err    error
}

func (e *RequestError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("STS request: %s: %v", e.Reason, e.Err)
	}
	return "STS request: " + e.Reason
}

func (e *RequestError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *RequestError) Kind() string { return "request" }
