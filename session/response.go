package session

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

const nsSOAErrors = "urn:be:fgov:ehealth:errors:soa:v1"

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

// ParseResponse reads the STS's SOAP answer to the request requestID. It
// returns the assertion, or an *STSFault, *STSStatusError or *ResponseError.
func ParseResponse(body []byte, requestID string) (*Assertion, error) {
	p, err := scanResponse(body)
	if err != nil {
		return nil, err
	}
	switch {
	case p.fault != nil:
		return nil, p.fault.stsFault()
	case p.response == nil:
		return nil, &ResponseError{Reason: "no samlp:Response or SOAP Fault in the body"}
	}
	r := p.response
	if r.InResponseTo != requestID {
		return nil, &ResponseError{Reason: fmt.Sprintf("InResponseTo %q does not match our request %q", r.InResponseTo, requestID)}
	}
	if !strings.Contains(r.Status.Code.Value, "Success") {
		code := r.Status.Code.Value
		if sub := r.Status.Code.Sub; sub != nil && sub.Value != "" {
			code += "/" + sub.Value
		}
		return nil, &STSStatusError{Code: code, Message: strings.TrimSpace(r.Status.Message)}
	}
	if p.assertion == nil {
		return nil, &ResponseError{Reason: "success without a saml:Assertion"}
	}
	return p.assertion.toAssertion(r.InResponseTo, body[p.start:p.end])
}

// parsed is what one pass over the response body finds.
type parsed struct {
	fault     *soapFault
	response  *samlResponse
	assertion *samlAssertion
	// start and end delimit the first saml:Assertion in the body.
	start, end int64
}

// scanResponse walks the body once with encoding/xml, so that the offsets of
// the assertion (kept verbatim in Assertion.Raw) come from the same pass that
// decodes it. A DOCTYPE is refused outright.
func scanResponse(body []byte) (*parsed, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var p parsed
	sawRoot := false
	depth := 0
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ResponseError{Reason: "malformed XML", Err: err}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &ResponseError{Reason: "DOCTYPE or other directive not allowed"}
		case xml.StartElement:
			if depth == 0 {
				if sawRoot {
					return nil, &ResponseError{Reason: "more than one root element"}
				}
				sawRoot = true
				if t.Name.Space != nsSOAP || t.Name.Local != "Envelope" {
					return nil, &ResponseError{Reason: fmt.Sprintf("root element is {%s}%s, not a SOAP 1.1 Envelope", t.Name.Space, t.Name.Local)}
				}
			}
			consumed, err := p.element(d, t, offset)
			if err != nil {
				return nil, err
			}
			if !consumed {
				depth++
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawRoot {
		return nil, &ResponseError{Reason: "empty body"}
	}
	return &p, nil
}

// element decodes the elements of interest as the scan meets them and says
// whether it consumed t (through its end tag). After decoding, the decoder
// stands at the element's end offset.
func (p *parsed) element(d *xml.Decoder, t xml.StartElement, start int64) (consumed bool, err error) {
	switch {
	case t.Name.Space == nsSOAP && t.Name.Local == "Fault" && p.fault == nil:
		p.fault = new(soapFault)
		err = d.DecodeElement(p.fault, &t)
	case t.Name.Space == nsSAMLP && t.Name.Local == "Response" && p.response == nil:
		p.response = new(samlResponse)
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == "InResponseTo" {
				p.response.InResponseTo = a.Value
			}
		}
		return false, nil
	case t.Name.Space == nsSAMLP && t.Name.Local == "Status" && p.response != nil:
		err = d.DecodeElement(&p.response.Status, &t)
	case t.Name.Space == nsSAML && t.Name.Local == "Assertion" && p.response != nil && p.assertion == nil:
		p.assertion = new(samlAssertion)
		err = d.DecodeElement(p.assertion, &t)
		p.start, p.end = start, d.InputOffset()
	default:
		return false, nil
	}
	if err != nil {
		return true, &ResponseError{Reason: "malformed XML", Err: err}
	}
	return true, nil
}

type soapFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		Items []soaError `xml:",any"`
	} `xml:"detail"`
}

// soaError is an eHealth SystemError or BusinessError in a fault's detail.
type soaError struct {
	XMLName xml.Name
	Code    string   `xml:"Code"`
	Message []string `xml:"Message"`
}

// stsFault prefers the eHealth SOA code and message; a fault without one
// keeps the SOAP faultcode and faultstring.
func (f *soapFault) stsFault() *STSFault {
	for _, item := range f.Detail.Items {
		if item.XMLName.Space == nsSOAErrors && item.Code != "" {
			msg := f.String
			if len(item.Message) > 0 {
				msg = item.Message[0]
			}
			return &STSFault{Code: strings.TrimSpace(item.Code), Message: strings.TrimSpace(msg)}
		}
	}
	return &STSFault{Code: strings.TrimSpace(f.Code), Message: strings.TrimSpace(f.String)}
}

type samlResponse struct {
	InResponseTo string
	Status       struct {
		Code    statusCode `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusCode"`
		Message string     `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusMessage"`
	}
}

type statusCode struct {
	Value string      `xml:"Value,attr"`
	Sub   *statusCode `xml:"urn:oasis:names:tc:SAML:1.0:protocol StatusCode"`
}

type samlAssertion struct {
	ID         string `xml:"AssertionID,attr"`
	Issuer     string `xml:"Issuer,attr"`
	Conditions struct {
		NotBefore    string `xml:"NotBefore,attr"`
		NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
	} `xml:"urn:oasis:names:tc:SAML:1.0:assertion Conditions"`
	Attributes []struct {
		Name   string   `xml:"AttributeName,attr"`
		Values []string `xml:"urn:oasis:names:tc:SAML:1.0:assertion AttributeValue"`
	} `xml:"urn:oasis:names:tc:SAML:1.0:assertion AttributeStatement>Attribute"`
}

func (a *samlAssertion) toAssertion(inResponseTo string, raw []byte) (*Assertion, error) {
	if a.ID == "" {
		return nil, &ResponseError{Reason: "assertion without AssertionID"}
	}
	notBefore, err := time.Parse(time.RFC3339Nano, a.Conditions.NotBefore)
	if err != nil {
		return nil, &ResponseError{Reason: "assertion Conditions NotBefore", Err: err}
	}
	notOnOrAfter, err := time.Parse(time.RFC3339Nano, a.Conditions.NotOnOrAfter)
	if err != nil {
		return nil, &ResponseError{Reason: "assertion Conditions NotOnOrAfter", Err: err}
	}
	attrs := make(map[string]string, len(a.Attributes))
	for _, at := range a.Attributes {
		if len(at.Values) > 0 {
			attrs[at.Name] = strings.TrimSpace(at.Values[0])
		}
	}
	return &Assertion{
		ID:           a.ID,
		Issuer:       a.Issuer,
		InResponseTo: inResponseTo,
		NotBefore:    notBefore,
		NotOnOrAfter: notOnOrAfter,
		Attributes:   attrs,
		Raw:          bytes.Clone(raw),
	}, nil
}

// ExplainSOA says in plain language what an eHealth SOA error code means
// (§6), for display next to the code and message.
func ExplainSOA(code string) string {
	switch code {
	case "SOA-00001":
		return "The eHealth service had an internal error. Try again later; if it persists, contact the eHealth service desk."
	case "SOA-01001":
		return "eHealth could not authenticate the request: the certificate or signature was not accepted. Check that the eHealth certificate is valid and belongs to you."
	case "SOA-01002":
		return "eHealth authenticated you but does not allow this call: your profession or registration may not grant access to this service."
	case "SOA-02001":
		return "The eHealth service is unavailable. Try again later."
	case "SOA-02002":
		return "The eHealth service is temporarily unavailable (maintenance or overload). Try again in a few minutes."
	case "SOA-03001":
		return "eHealth received a malformed message. This is a problem in this app; please report it."
	case "SOA-03002":
		return "eHealth did not recognise the message as SOAP. This is a problem in this app; please report it."
	case "SOA-03003":
		return "eHealth received a message without a body. This is a problem in this app; please report it."
	case "SOA-03004":
		return "eHealth rejected the message as not WS-I compliant. This is a problem in this app; please report it."
	case "SOA-03005":
		return "eHealth rejected the message as not matching the service description (WSDL). This is a problem in this app; please report it."
	case "SOA-03006":
		return "eHealth rejected the message as not matching its schema (XSD). This is a problem in this app; please report it."
	case "SOA-03007":
		return "eHealth rejected the content of the message. Check that your SSIN, profession and certificate in the settings are correct."
	}
	return "eHealth returned an error this app does not know. Show the code and message to the eHealth service desk."
}

// NIHIIMismatch compares the NIHII/INAMI number the STS certified (the
// "...nihii11" attribute) with the configured one, digits only. A missing
// attribute counts as a mismatch unless none is configured either.
func NIHIIMismatch(a *Assertion, inami string) (returned string, mismatch bool) {
	if a != nil {
		for name, v := range a.Attributes {
			if strings.HasSuffix(name, ":nihii11") {
				returned = v
				break
			}
		}
	}
	return returned, digits(returned) != digits(inami)
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
