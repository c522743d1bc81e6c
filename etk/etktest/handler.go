package etktest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Fault makes the depot misbehave, for the requests after SetFault.
type Fault string

const (
	FaultNone Fault = ""
	// FaultStatus answers a GetEtkResponse whose Status Code is the code
	// given to SetFault (default "500"), with HTTP 200.
	FaultStatus Fault = "status"
	// FaultError answers Status 200 with an Error whose Code is the code
	// given (default "INVALID_SSIN_NUMBER").
	FaultError Fault = "error"
	// FaultSOAP answers a SOAP fault with HTTP 500, its SOA code the code
	// given (default "SOA-02001", service unavailable).
	FaultSOAP Fault = "soap"
	// FaultHTTP404 and FaultHTTP500 answer an HTML error page.
	FaultHTTP404 Fault = "http404"
	FaultHTTP500 Fault = "http500"
	// FaultGarbage answers bytes that are not XML, with HTTP 200.
	FaultGarbage Fault = "garbage"
	// FaultHuge answers a well-formed success padded past 1 MiB.
	FaultHuge Fault = "huge"
)

// Namespaces of the depot's messages.
const (
	nsSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	nsProtocol = "urn:be:fgov:ehealth:etkdepot:1_0:protocol"
	nsCore     = "urn:be:fgov:ehealth:commons:1_0:core"
	nsSOA      = "urn:be:fgov:ehealth:errors:soa:v1"

	maxRequest = 64 << 10
)

// getEtkRequest is the part of the request the depot reads.
type getEtkRequest struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Request *struct {
			Identifiers []struct {
				Type          string  `xml:"urn:be:fgov:ehealth:etkdepot:1_0:protocol Type"`
				Value         string  `xml:"urn:be:fgov:ehealth:etkdepot:1_0:protocol Value"`
				ApplicationID *string `xml:"urn:be:fgov:ehealth:etkdepot:1_0:protocol ApplicationID"`
			} `xml:"urn:be:fgov:ehealth:etkdepot:1_0:protocol SearchCriteria>Identifier"`
		} `xml:"urn:be:fgov:ehealth:etkdepot:1_0:protocol GetEtkRequest"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// ServeHTTP answers one GetEtk request.
func (d *Depot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	now := d.opts.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	req := Request{SOAPAction: r.Header.Get("SOAPAction"), At: now}
	if err == nil {
		err = parseRequest(r, body, &req)
	}
	req.Err = err
	d.mu.Lock()
	d.requests = append(d.requests, req)
	fault, code, message := d.fault, d.faultCode, d.faultMessage
	d.mu.Unlock()

	if err != nil {
		d.log.Info("etk simulator rejected a request", "err", err)
		writeXML(w, http.StatusInternalServerError, faultEnvelope("SOA-03002", "Message does not respect the SOAP standard: "+err.Error()))
		return
	}
	if d.misbehave(w, fault, code, message) {
		return
	}
	resp := response(req.Identifier, "200", "Success")
	etk, matching := d.lookup(req.Identifier, now)
	switch {
	case etk != nil:
		resp.CreateElement("etk:ETK").SetText(wrap(base64.StdEncoding.EncodeToString(etk)))
	case len(matching) > 0:
		for _, id := range matching {
			identifierElement(resp.CreateElement("etk:MatchingEtk"), id)
		}
	default:
		depotError(resp, "NO_MATCHING_ETK", "No ETK found for the given search criteria")
	}
	if fault == FaultHuge {
		resp.CreateComment(strings.Repeat("padding ", 1<<17+1))
	}
	writeXML(w, http.StatusOK, envelope(resp))
}

// misbehave answers the faults that replace the answer; it reports whether
// it did.
func (d *Depot) misbehave(w http.ResponseWriter, fault Fault, code, message string) bool {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	switch fault {
	case FaultStatus:
		writeXML(w, http.StatusOK, envelope(response(Identifier{}, or(code, "500"), or(message, "Internal error"))))
	case FaultError:
		resp := response(Identifier{}, "200", "Success")
		depotError(resp, or(code, "INVALID_SSIN_NUMBER"), or(message, "The SSIN is not valid"))
		writeXML(w, http.StatusOK, envelope(resp))
	case FaultSOAP:
		writeXML(w, http.StatusInternalServerError, faultEnvelope(or(code, "SOA-02001"), or(message, "Service not available. Please contact your system administrator.")))
	case FaultHTTP404, FaultHTTP500:
		status := map[Fault]int{FaultHTTP404: http.StatusNotFound, FaultHTTP500: http.StatusInternalServerError}[fault]
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", status, http.StatusText(status))
	case FaultGarbage:
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte("\x00\x01 this is not XML <<<"))
	default:
		return false
	}
	return true
}

// parseRequest checks the transport and reads the one Identifier.
func parseRequest(r *http.Request, body []byte, req *Request) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		return fmt.Errorf("Content-Type %q, want text/xml", ct)
	}
	if req.SOAPAction != `""` && req.SOAPAction != "" {
		return fmt.Errorf("SOAPAction %q, want \"\"", req.SOAPAction)
	}
	var env getEtkRequest
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return fmt.Errorf("not a SOAP envelope: %w", err)
	}
	if env.Body.Request == nil {
		return errors.New("no GetEtkRequest in the Body")
	}
	ids := env.Body.Request.Identifiers
	if len(ids) != 1 {
		return fmt.Errorf("%d Identifiers, want 1", len(ids))
	}
	req.Type, req.Value = ids[0].Type, ids[0].Value
	if ids[0].ApplicationID != nil {
		req.ApplicationIDPresent, req.ApplicationID = true, *ids[0].ApplicationID
	}
	return nil
}

// response starts a GetEtkResponse with its Status and, when id is set,
// the GivenSearchCriteria.
func response(id Identifier, code, message string) *etree.Element {
	r := etree.NewElement("etk:GetEtkResponse")
	r.CreateAttr("xmlns:etk", nsProtocol)
	r.CreateAttr("xmlns:core", nsCore)
	r.CreateAttr("Id", fmt.Sprintf("_%d", time.Now().UnixNano()))
	status := r.CreateElement("core:Status")
	status.CreateElement("Code").SetText(code)
	msg := status.CreateElement("Message")
	msg.CreateAttr("Lang", "EN")
	msg.SetText(message)
	if id != (Identifier{}) {
		identifierElement(r.CreateElement("etk:GivenSearchCriteria"), id)
	}
	return r
}

func identifierElement(parent *etree.Element, id Identifier) {
	el := parent.CreateElement("etk:Identifier")
	el.CreateElement("etk:Type").SetText(id.Type)
	el.CreateElement("etk:Value").SetText(id.Value)
	el.CreateElement("etk:ApplicationID").SetText(id.ApplicationID)
}

func depotError(resp *etree.Element, code, message string) {
	e := resp.CreateElement("etk:Error")
	e.CreateElement("etk:Code").SetText(code)
	e.CreateElement("etk:Message").SetText(message)
}

// faultEnvelope is the eHealth ESB's SOAP fault.
func faultEnvelope(code, message string) []byte {
	f := etree.NewElement("soapenv:Fault")
	server := strings.HasPrefix(code, "SOA-00") || strings.HasPrefix(code, "SOA-02")
	f.CreateElement("faultcode").SetText(map[bool]string{true: "soapenv:Server", false: "soapenv:Client"}[server])
	f.CreateElement("faultstring").SetText(message)
	se := f.CreateElement("detail").CreateElement("soa:SystemError")
	se.CreateAttr("xmlns:soa", nsSOA)
	se.CreateElement("Code").SetText(code)
	se.CreateElement("Message").SetText(message)
	return envelope(f)
}

func envelope(content *etree.Element) []byte {
	doc := etree.NewDocument()
	env := doc.CreateElement("soapenv:Envelope")
	env.CreateAttr("xmlns:soapenv", nsSOAP)
	env.CreateElement("soapenv:Body").AddChild(content)
	b, _ := doc.WriteToBytes() // writing to memory cannot fail
	return b
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client hung up; nothing to do
}

// wrap breaks base64 into lines of 76, as Java's MIME encoder does.
func wrap(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
