package sts

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/errkind"
	"ehealth-tray/session"
	"ehealth-tray/soap"
	"ehealth-tray/sts/ststest"
)

const stsRequestID = "_0123456789abcdef"

// The assertion as the STS writes it: its own namespace declarations, a
// signature, text with entities, so that Raw must be the exact bytes.
const stsAssertionXML = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_a1b2" IssueInstant="2025-03-04T09:20:31.000Z" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">` +
	`<saml:Conditions NotBefore="2025-03-04T09:20:30.400Z" NotOnOrAfter="2025-03-04T21:20:30+01:00"/>` +
	`<saml:AuthenticationStatement AuthenticationInstant="2025-03-04T09:20:31.000Z" AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:X509-PKI"/>` +
	`<saml:AttributeStatement>
  <saml:Subject><saml:NameIdentifier>CN=&quot;SSIN=79021802145&quot;, C=BE</saml:NameIdentifier></saml:Subject>
  <saml:Attribute AttributeName="urn:be:fgov:person:ssin" AttributeNamespace="urn:be:fgov:identification-namespace"><saml:AttributeValue>79021802145</saml:AttributeValue></saml:Attribute>
  <saml:Attribute AttributeName="urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11" AttributeNamespace="urn:be:fgov:certified-namespace:ehealth"><saml:AttributeValue> 53886171521 </saml:AttributeValue></saml:Attribute>
  <saml:Attribute AttributeName="urn:be:fgov:person:ssin:ehealth:1.0:surname" AttributeNamespace="urn:be:fgov:certified-namespace:ehealth"><saml:AttributeValue>Doe &amp; Co</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement>` +
	`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>` +
	`</saml:Assertion>`

func stsResponseXML(inResponseTo, status, inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" InResponseTo="` + inResponseTo + `" IssueInstant="2025-03-04T09:20:31.000Z" MajorVersion="1" MinorVersion="1" ResponseID="_r1">` +
		`<samlp:Status>` + status + `</samlp:Status>` + inner +
		`</samlp:Response></soapenv:Body></soapenv:Envelope>`
}

func stsSuccessXML() string {
	return stsResponseXML(stsRequestID, `<samlp:StatusCode Value="samlp:Success"/>`, stsAssertionXML)
}

func stsFaultXML(detail string) string {
	return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault>` +
		`<faultcode>soapenv:Server</faultcode><faultstring>SOA-01001</faultstring>` + detail +
		`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
}

func TestParseResponseSuccess(t *testing.T) {
	body := []byte(stsSuccessXML())
	a, err := ParseResponse(body, stsRequestID)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "_a1b2" || a.Issuer != "urn:be:fgov:ehealth:sts:1_0" || a.InResponseTo != stsRequestID {
		t.Errorf("ID %q Issuer %q InResponseTo %q", a.ID, a.Issuer, a.InResponseTo)
	}
	if want := time.Date(2025, 3, 4, 9, 20, 30, 400_000_000, time.UTC); !a.NotBefore.Equal(want) {
		t.Errorf("NotBefore %v, want %v", a.NotBefore, want)
	}
	if want := time.Date(2025, 3, 4, 20, 20, 30, 0, time.UTC); !a.NotOnOrAfter.Equal(want) {
		t.Errorf("NotOnOrAfter %v, want %v", a.NotOnOrAfter, want)
	}
	want := map[string]string{
		"urn:be:fgov:person:ssin": "79021802145",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11": "53886171521",
		"urn:be:fgov:person:ssin:ehealth:1.0:surname":                       "Doe & Co",
	}
	if len(a.Attributes) != len(want) {
		t.Errorf("attributes %v", a.Attributes)
	}
	for k, v := range want {
		if a.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, a.Attributes[k], v)
		}
	}
	// Raw is the assertion as received, with the declarations it inherits
	// from the Envelope and the Response added to its start tag.
	start := bytes.Index(body, []byte("<saml:Assertion"))
	end := bytes.Index(body, []byte("</saml:Assertion>")) + len("</saml:Assertion>")
	inherited := ` xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"`
	if want := "<saml:Assertion" + inherited + string(body[start+len("<saml:Assertion"):end]); string(a.Raw) != want {
		t.Errorf("Raw is not the assertion's bytes as received:\n%s\nwant\n%s", a.Raw, want)
	}
}

func TestParseResponseErrors(t *testing.T) {
	soaDetail := `<detail><urn:SystemError xmlns:urn="urn:be:fgov:ehealth:errors:soa:v1" Id="x">` +
		`<Origin>Server</Origin><Code>SOA-02001</Code><Message xml:lang="en">Service not available. Please contact your service desk</Message>` +
		`<Environment>Production</Environment></urn:SystemError></detail>`
	cases := []struct {
		name string
		body string
		want error
		kind string
	}{
		{"status", stsResponseXML(stsRequestID,
			`<samlp:StatusCode Value="samlp:Requester"><samlp:StatusCode Value="samlp:RequestDenied"/></samlp:StatusCode><samlp:StatusMessage> Invalid holder-of-key </samlp:StatusMessage>`, ""),
			&STSStatusError{Code: "samlp:Requester/samlp:RequestDenied", Message: "Invalid holder-of-key"}, "sts-status"},
		{"SOA fault", stsFaultXML(soaDetail),
			&STSFault{Code: "SOA-02001", Message: "Service not available. Please contact your service desk"}, "sts-unavailable"},
		{"SOA fault, qualified children", stsFaultXML(`<detail><soa:BusinessError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1"><soa:Code>SOA-03007</soa:Code><soa:Message>Bad SSIN</soa:Message></soa:BusinessError></detail>`),
			&STSFault{Code: "SOA-03007", Message: "Bad SSIN"}, "sts-fault"},
		{"fault without SOA detail", stsFaultXML(`<detail><other xmlns="urn:x"><Code>X</Code></other></detail>`),
			&STSFault{Code: "soapenv:Server", Message: "SOA-01001"}, "sts-fault"},
		{"wrong InResponseTo", strings.Replace(stsSuccessXML(), stsRequestID, "_other", 1), nil, "sts-response"},
		// A refusal is shown as eHealth said it, whatever it answers to: nothing of it is used.
		{"wrong InResponseTo on a status", stsResponseXML("_other", `<samlp:StatusCode Value="samlp:Responder"/>`, ""), nil, "sts-status"},
		{"DOCTYPE", strings.Replace(stsSuccessXML(), "?>", `?><!DOCTYPE x [<!ENTITY e "e">]>`, 1), nil, "sts-response"},
		{"malformed", stsSuccessXML()[:200], nil, "sts-response"},
		{"not XML", "Service Unavailable", nil, "sts-response"},
		{"empty", "", nil, "sts-response"},
		{"not SOAP", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"/>`, nil, "sts-response"},
		{"two roots", stsSuccessXML() + `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>`, nil, "sts-response"},
		{"empty body", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`, nil, "sts-response"},
		{"success without assertion", stsResponseXML(stsRequestID, `<samlp:StatusCode Value="samlp:Success"/>`, ""), nil, "sts-response"},
		{"bad NotOnOrAfter", strings.Replace(stsSuccessXML(), "2025-03-04T21:20:30+01:00", "tomorrow", 1), nil, "sts-response"},
		{"no AssertionID", strings.Replace(stsSuccessXML(), `AssertionID="_a1b2"`, "", 1), nil, "sts-response"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseResponse([]byte(c.body), stsRequestID)
			if err == nil {
				t.Fatalf("got assertion %q, want an error", a.ID)
			}
			if got := errkind.Of(err); got != c.kind {
				t.Errorf("kind %q, want %q (%v)", got, c.kind, err)
			}
			switch want := c.want.(type) {
			case *STSStatusError:
				var got *STSStatusError
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("got %#v, want %#v", err, want)
				}
			case *STSFault:
				var got *STSFault
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("got %#v, want %#v", err, want)
				}
			}
		})
	}
}

func TestNIHIIMismatch(t *testing.T) {
	a := &session.Assertion{Attributes: map[string]string{
		"urn:be:fgov:person:ssin": "79021802145",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11": "53886171521",
	}}
	cases := []struct {
		a        *session.Assertion
		nihii    string
		returned string
		mismatch bool
	}{
		{a, "53886171521", "53886171521", false},
		{a, "5/38861/71/521", "53886171521", false},
		{a, "53886171522", "53886171521", true},
		{a, "", "53886171521", true},
		{&session.Assertion{Attributes: map[string]string{"urn:be:fgov:person:ssin": "79021802145"}}, "53886171521", "", true},
		{&session.Assertion{}, "", "", false},
		{nil, "53886171521", "", true},
	}
	for _, c := range cases {
		returned, mismatch := NIHIIMismatch(c.a, c.nihii)
		if returned != c.returned || mismatch != c.mismatch {
			t.Errorf("NIHIIMismatch(%v, %q) = %q, %v; want %q, %v", c.a, c.nihii, returned, mismatch, c.returned, c.mismatch)
		}
	}
}

// simulatorAnswers are the simulator's answers, in the real STS's shape,
// with each fault, and the RequestID each answers: seeds for the fuzzers.
func simulatorAnswers(tb testing.TB, faults ...ststest.Fault) (bodies [][]byte, requestIDs []string) {
	tb.Helper()
	s, err := ststest.New(ststest.Options{NIHII: "53886171521"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	c, err := soap.New(soap.Options{URL: s.URL})
	if err != nil {
		tb.Fatal(err)
	}
	hok, _, ecID := stsKeys(tb)
	for _, fault := range faults {
		s.SetFault(fault, "", "")
		req, err := BuildRequest(RequestParams{Identification: ecID, HOK: hok, SSIN: reqSSIN, Quality: "nurse"})
		if err != nil {
			tb.Fatal(err)
		}
		resp, _ := c.Post(context.Background(), soapAction, req.Envelope)
		if resp == nil {
			tb.Fatalf("%s: no answer", fault)
		}
		bodies, requestIDs = append(bodies, resp.Envelope), append(requestIDs, req.RequestID)
	}
	return bodies, requestIDs
}

func FuzzParseResponse(f *testing.F) {
	bodies, ids := simulatorAnswers(f, ststest.FaultNone, ststest.FaultNestedAdvice, ststest.FaultNestedEcho,
		ststest.FaultTwoAssertions, ststest.FaultIndented, ststest.FaultSOA, ststest.FaultStatus, ststest.FaultPast)
	for i, body := range bodies {
		f.Add(body, ids[i])
	}
	f.Add([]byte(stsSuccessXML()), stsRequestID)
	f.Add([]byte(stsResponseXML(stsRequestID, `<samlp:StatusCode Value="samlp:Requester"/>`, "")), stsRequestID)
	f.Add([]byte(stsFaultXML(`<detail><x:SystemError xmlns:x="urn:be:fgov:ehealth:errors:soa:v1"><Code>SOA-00001</Code></x:SystemError></detail>`)), "")
	f.Fuzz(func(t *testing.T, body []byte, requestID string) {
		a, err := ParseResponse(body, requestID)
		if err != nil {
			if errkind.Of(err) == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			return
		}
		if a.ID == "" || a.InResponseTo != requestID || a.NotOnOrAfter.IsZero() {
			t.Fatalf("incomplete assertion %+v", a)
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(a.Raw); err != nil || doc.Root() == nil || doc.Root().NamespaceURI() != nsSAML ||
			doc.Root().SelectAttrValue("AssertionID", "") != a.ID {
			t.Fatalf("Raw is not a standalone saml:Assertion (%v): %q", err, a.Raw)
		}
	})
}
