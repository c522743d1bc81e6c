package sts

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/cert"
	"ehealth-tray/soap"
)

// Namespaces and values of the request (ehealth-protocol.md §3–4).
const (
	nsSOAP  = soap.NSEnvelope
	nsSAMLP = "urn:oasis:names:tc:SAML:1.0:protocol"
	nsSAML  = soap.NSSAML
	nsDS    = soap.NSDS

	formatX509Subject = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
	cmHolderOfKey     = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"

	nsIdentification = "urn:be:fgov:identification-namespace"
	nsCertified      = "urn:be:fgov:certified-namespace:ehealth"
)

// DefaultValidity is the session length asked for when RequestParams.Validity
// is zero; the STS may return a shorter one.
const DefaultValidity = 24 * time.Hour

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
	// SignatureMethod of the WS-Security header for RSA keys (the config's
	// [sts] signature): SignatureRSASHA256 (default) or SignatureRSASHA1. EC
	// keys always use ecdsa-sha256, as the Technical Connector 4.x does.
	SignatureMethod string
	// RequestSignatureMethod of the inner samlp:Request signature (the
	// config's [sts] request_signature): SignatureRSASHA1 (default, what every
	// production client sends, §4b) or SignatureRSASHA256.
	RequestSignatureMethod string
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

// certifiedDesignators are the certified attributes of each profession,
// exactly as the table of ehealth-protocol.md §5 (what production clients
// ask): the names are not regular, so they are written out.
var certifiedDesignators = map[string][]string{
	"doctor": {
		"urn:be:fgov:person:ssin:doctor:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname",
		"urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:doctor:boolean",
	},
	"physiotherapist": {
		"urn:be:fgov:person:ssin:ehealth:1.0:professional:physiotherapist:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname",
		"urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:physiotherapist:boolean",
	},
	"nurse": {
		"urn:be:fgov:person:ssin:nurse:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nurse:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:nurse:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname",
		"urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:nurse:boolean",
	},
	"dentist": {
		"urn:be:fgov:person:ssin:ehealth:1.0:professional:dentist:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:dentist:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:dentist:boolean",
	},
	"midwife": {
		"urn:be:fgov:person:ssin:ehealth:1.0:professional:midwife:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:midwife:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname",
		"urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:midwife:boolean",
	},
}

// Designators returns the attributes asked for a profession (§5): the two
// identification attributes, then the profession's certified ones.
func Designators(quality string) ([]Designator, error) {
	certified, ok := certifiedDesignators[quality]
	if !ok {
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
	idAlg, err := soap.AlgorithmFor(p.Identification.Public(), p.SignatureMethod)
	if err != nil {
		return nil, &RequestError{Reason: "header signature", Err: err}
	}
	innerMethod := p.RequestSignatureMethod
	if innerMethod == "" {
		innerMethod = SignatureRSASHA1
	}
	hokAlg, err := soap.AlgorithmFor(p.HOK.Public(), innerMethod)
	if err != nil {
		return nil, &RequestError{Reason: "request signature", Err: err}
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

	env := soap.NewEnvelope()
	requestID := soap.NewID("_")
	request := buildQuery(env.Body(), queryParams{
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
	if err := soap.Sign(request, 0, p.HOK, hokAlg,
		[]soap.Reference{{URI: requestID, Element: request, Enveloped: true}},
		soap.X509KeyInfo(hokCert)); err != nil {
		return nil, err
	}
	expires, err := env.SignX509(p.Identification, idAlg, now)
	if err != nil {
		return nil, err
	}
	out, err := env.Bytes()
	if err != nil {
		return nil, err
	}
	return &SignedRequest{RequestID: requestID, Envelope: out, Expires: expires}, nil
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
	req.CreateAttr("IssueInstant", soap.XSDTime(q.now))

	query := req.CreateElement("samlp:AttributeQuery")
	subj := query.CreateElement("saml:Subject")
	nameIdentifier(subj, q.subject, q.issuer)
	conf := subj.CreateElement("saml:SubjectConfirmation")
	conf.CreateElement("saml:ConfirmationMethod").SetText(cmHolderOfKey)

	a := conf.CreateElement("saml:SubjectConfirmationData").CreateElement("saml:Assertion")
	a.CreateAttr("MajorVersion", "1")
	a.CreateAttr("MinorVersion", "1")
	a.CreateAttr("AssertionID", soap.NewID("_"))
	a.CreateAttr("IssueInstant", soap.XSDTime(q.now))
	a.CreateAttr("Issuer", q.subject)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", soap.XSDTime(q.now))
	cond.CreateAttr("NotOnOrAfter", soap.XSDTime(q.now.Add(q.validity)))
	stmt := a.CreateElement("saml:AttributeStatement")
	nameIdentifier(stmt.CreateElement("saml:Subject"), q.subject, q.issuer)
	for _, d := range identificationDesignators {
		attr := stmt.CreateElement("saml:Attribute")
		attr.CreateAttr("AttributeName", d.Name)
		attr.CreateAttr("AttributeNamespace", d.Namespace)
		attr.CreateElement("saml:AttributeValue").SetText(q.ssin)
	}
	hok := soap.X509KeyInfo(q.hokCert)
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
