package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces of SOAP 1.1 and of eHealth's SOA errors (ehealth-protocol.md §6).
const (
	NSEnvelope  = "http://schemas.xmlsoap.org/soap/envelope/"
	NSSOAErrors = "urn:be:fgov:ehealth:errors:soa:v1"
)

// Fault is a SOAP 1.1 Fault. Code and Message are eHealth's SOA code
// (SOA-xxxxx) and message from the detail when it has them, else the SOAP
// faultcode and faultstring. It has no kind: each service maps it.
type Fault struct {
	Code    string
	Message string
	// Status is the HTTP status it came with (500 by SOAP 1.1).
	Status int
}

func (f *Fault) Error() string { return fmt.Sprintf("SOAP fault %s: %s", f.Code, f.Message) }

// Unavailable reports a service that says it is (temporarily) unavailable:
// SOA-02xxx.
func (f *Fault) Unavailable() bool { return strings.HasPrefix(f.Code, "SOA-02") }

// UnmarshalXML reads a soap:Fault element, so that a Fault can be decoded
// from any token stream (the STS scan decodes it from its own).
func (f *Fault) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var raw struct {
		Code   string `xml:"faultcode"`
		String string `xml:"faultstring"`
		Detail struct {
			Items []struct {
				XMLName xml.Name
				Code    string   `xml:"Code"`
				Message []string `xml:"Message"`
			} `xml:",any"`
		} `xml:"detail"`
	}
	if err := d.DecodeElement(&raw, &start); err != nil {
		return err
	}
	f.Code, f.Message = strings.TrimSpace(raw.Code), strings.TrimSpace(raw.String)
	for _, item := range raw.Detail.Items {
		if item.XMLName.Space == NSSOAErrors && item.Code != "" {
			f.Code = strings.TrimSpace(item.Code)
			if len(item.Message) > 0 {
				f.Message = strings.TrimSpace(item.Message[0])
			}
			break
		}
	}
	return nil
}

var (
	nameEnvelope = xml.Name{Space: NSEnvelope, Local: "Envelope"}
	nameBody     = xml.Name{Space: NSEnvelope, Local: "Body"}
	nameFault    = xml.Name{Space: NSEnvelope, Local: "Fault"}
)

// inspect checks that body is one SOAP 1.1 Envelope with a Body, without a
// DOCTYPE, and returns the Fault that is a child of the Body, if any. An
// answer that is not an envelope is an *AnswerError.
func inspect(body []byte) (*Fault, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	var sawRoot, sawBody, inBody bool
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &AnswerError{Reason: "malformed XML", Err: err}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &AnswerError{Reason: "DOCTYPE or other directive not allowed"}
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && sawRoot:
				return nil, &AnswerError{Reason: "more than one root element"}
			case depth == 1 && t.Name != nameEnvelope:
				return nil, &AnswerError{Reason: fmt.Sprintf("root element is {%s}%s, not a SOAP 1.1 Envelope", t.Name.Space, t.Name.Local)}
			case depth == 1:
				sawRoot = true
			case depth == 2:
				inBody = t.Name == nameBody
				sawBody = sawBody || inBody
			case depth == 3 && inBody && t.Name == nameFault:
				f := new(Fault)
				if err := d.DecodeElement(f, &t); err != nil {
					return nil, &AnswerError{Reason: "malformed SOAP fault", Err: err}
				}
				return f, nil
			}
		}
	}
	if !sawBody {
		return nil, &AnswerError{Reason: "no SOAP Body"}
	}
	return nil, nil
}

// refuseDirectives fails on malformed XML or a DOCTYPE (or any directive),
// which etree would accept.
func refuseDirectives(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &AnswerError{Reason: "malformed XML", Err: err}
		}
		if _, ok := tok.(xml.Directive); ok {
			return &AnswerError{Reason: "DOCTYPE or other directive not allowed"}
		}
	}
}
