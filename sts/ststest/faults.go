package ststest

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes the simulator misbehave, for the requests after SetFault.
// Faults that alter a success (the assertion ones) answer a rejected
// request with its usual SOAP fault; the others replace whatever the answer
// would have been.
type Fault string

const (
	FaultNone Fault = ""
	// FaultSOA answers a SOAP fault with the code given to SetFault (default
	// SOA-02001) and its message: SOA-01001 for a refusal, SOA-02001/02002
	// for an unavailable STS.
	FaultSOA Fault = "soa"
	// FaultHugeSOAP answers a well-formed SOAP fault (code default
	// SOA-00001) whose message holds a stack trace, over 1 MiB in all.
	FaultHugeSOAP Fault = "huge-soap"
	// FaultStatus answers a samlp:Response whose StatusCode is the code given
	// to SetFault (default samlp:Requester), with a StatusMessage.
	FaultStatus Fault = "status"
	// FaultHTTP500 and FaultHTTP503 answer a non-SOAP HTML error page.
	FaultHTTP500 Fault = "http500"
	FaultHTTP503 Fault = "http503"
	// FaultRedirectHTTP answers 307 to plain http:// on another host
	// (127.0.0.2, same port and path); FaultRedirectHTTPS answers 308 to
	// https:// there. The code given to SetFault ("307" or "308") changes
	// the status, the message the Location.
	FaultRedirectHTTP  Fault = "redirect-http"
	FaultRedirectHTTPS Fault = "redirect-https"
	// FaultSlow waits Options.Delay (or until the client gives up), then
	// answers normally.
	FaultSlow Fault = "slow"
	// FaultMalformed answers the first half of the normal answer: not XML.
	FaultMalformed Fault = "malformed"
	// FaultTruncated announces the whole answer in Content-Length, sends half
	// of it and closes the connection.
	FaultTruncated Fault = "truncated"
	// FaultWrongInResponseTo answers a success for another RequestID.
	FaultWrongInResponseTo Fault = "wrong-inresponseto"
	// FaultExpired answers an assertion whose NotOnOrAfter passed a minute ago.
	FaultExpired Fault = "expired"
	// FaultPast answers an assertion valid from 2000-01-01 to 2001-01-01.
	FaultPast Fault = "past"
	// FaultFuture answers an assertion whose NotBefore is an hour from now.
	FaultFuture Fault = "future"
	// FaultLongLived answers an assertion valid until 9999-12-31T23:59:59Z.
	FaultLongLived Fault = "long-lived"
	// FaultNestedAdvice answers an assertion whose saml:Advice holds another
	// STS-signed assertion with decoy values (DecoySSIN, DecoyNIHII, booleans
	// "false", validity one hour); the top-level one is the real answer.
	FaultNestedAdvice Fault = "nested-advice"
	// FaultNestedEcho answers an assertion whose SubjectConfirmationData
	// echoes the request's own holder-of-key assertion.
	FaultNestedEcho Fault = "nested-echo"
	// FaultTwoAssertions answers the real assertion followed by a second
	// STS-signed top-level assertion with the decoy values.
	FaultTwoAssertions Fault = "two-assertions"
	// FaultIndented answers an assertion pretty-printed (indented) before it
	// was signed: whitespace inside the signed content, the signature valid.
	FaultIndented Fault = "indented"
	// FaultReindented re-indents the whole answer after signing, as a proxy
	// that pretty-prints would: the STS signature no longer verifies.
	FaultReindented Fault = "reindented"
)

// Decoy values of the assertions a client must not read (FaultNestedAdvice,
// FaultTwoAssertions).
const (
	DecoySSIN  = "00010100165"
	DecoyNIHII = "99999999999"
)

// hugeFaultBytes is the least size of FaultHugeSOAP's answer.
const hugeFaultBytes = 1<<20 + 64<<10

// respond writes the answer to one request, with the fault in force.
func (s *STS) respond(w http.ResponseWriter, r *http.Request, req *request, verr error, now time.Time, st state) {
	switch st.fault {
	case FaultSlow:
		t := time.NewTimer(s.opts.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			dropConnection(w)
			return
		case <-s.stop:
			dropConnection(w)
			return
		}
	case FaultHTTP500:
		writeHTML(w, http.StatusInternalServerError)
		return
	case FaultHTTP503:
		w.Header().Set("Retry-After", "120")
		writeHTML(w, http.StatusServiceUnavailable)
		return
	case FaultRedirectHTTP, FaultRedirectHTTPS:
		redirect(w, r, st)
		return
	}

	status, answer, err := s.answer(req, verr, now, st)
	if err != nil {
		s.log.Error("sts simulator: building the answer", "err", err)
		http.Error(w, "simulator error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentTypeXML)
	switch st.fault {
	case FaultMalformed:
		answer = answer[:len(answer)/2]
	case FaultTruncated:
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		w.WriteHeader(status)
		_, _ = w.Write(answer[:len(answer)/2])
		dropConnection(w)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(answer) // the client hung up; nothing to do
}

// redirect answers FaultRedirectHTTP/HTTPS: to the same port and path on
// 127.0.0.2, a loopback address that is another host for the client.
func redirect(w http.ResponseWriter, r *http.Request, st state) {
	status, scheme := http.StatusTemporaryRedirect, "http"
	if st.fault == FaultRedirectHTTPS {
		status, scheme = http.StatusPermanentRedirect, "https"
	}
	if c, err := strconv.Atoi(st.code); err == nil {
		status = c
	}
	location := st.message
	if location == "" {
		host := "127.0.0.2"
		if _, port, err := net.SplitHostPort(r.Host); err == nil {
			host = net.JoinHostPort(host, port)
		}
		location = scheme + "://" + host + r.URL.RequestURI()
	}
	w.Header().Set("Location", location)
	writeHTML(w, status)
}

// dropConnection ends an exchange without a complete answer, as a server
// that dies or is cut off would: what was written is flushed, then the
// connection is closed.
func dropConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush() // the client may be gone already
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
		return
	}
	// HTTP/2 (Handler mounted elsewhere) cannot hijack; this documented
	// sentinel resets the stream instead.
	panic(http.ErrAbortHandler)
}

// writeHTML answers a plain error page, as a load balancer in front of the
// STS would.
func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	text := http.StatusText(status)
	_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, text, text)
}

// answer builds the SOAP answer: the fault for a rejected request, else a
// success, unless st asks for a SOAP fault or a status.
func (s *STS) answer(req *request, verr error, now time.Time, st state) (int, []byte, error) {
	id := ""
	if req != nil {
		id = req.id
	}
	switch {
	case st.fault == FaultSOA:
		b, err := faultEnvelope(cmp.Or(st.code, CodeUnavailable), st.message)
		return http.StatusInternalServerError, b, err
	case st.fault == FaultHugeSOAP:
		code := cmp.Or(st.code, CodeServiceError)
		b, err := faultEnvelope(code, cmp.Or(st.message, faultMessage(code))+"\n"+stackTrace(hugeFaultBytes))
		return http.StatusInternalServerError, b, err
	case st.fault == FaultStatus:
		b, err := statusEnvelope(id, now, st.code, st.message)
		return http.StatusOK, b, err
	case verr != nil:
		var re *RequestError
		if !errors.As(verr, &re) {
			return 0, nil, verr
		}
		if re.Check == CheckDesignators {
			b, err := statusEnvelope(id, now, re.Code, re.Reason)
			return http.StatusOK, b, err
		}
		b, err := faultEnvelope(re.Code, "")
		return http.StatusInternalServerError, b, err
	}
	b, err := s.successEnvelope(s.successSpec(req, id, now, st))
	return http.StatusOK, b, err
}

// successSpec is the success answer to req with the fault in force.
func (s *STS) successSpec(req *request, id string, now time.Time, st state) success {
	sp := success{
		req: req, inResponseTo: id, now: now, cred: st.cred, alg: s.opts.AnswerSignature,
		window: assertionWindow{notBefore: now.Add(-notBeforeBackdate), notOnOrAfter: now.Add(st.validity)},
	}
	switch st.fault {
	case FaultWrongInResponseTo:
		sp.inResponseTo = newID()
	case FaultExpired:
		sp.window = assertionWindow{notBefore: now.Add(-st.validity - time.Minute), notOnOrAfter: now.Add(-time.Minute)}
	case FaultPast:
		sp.window = assertionWindow{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	case FaultFuture:
		sp.window = assertionWindow{notBefore: now.Add(time.Hour), notOnOrAfter: now.Add(time.Hour + st.validity)}
	case FaultLongLived:
		sp.window.notOnOrAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	case FaultNestedAdvice:
		sp.advice = true
	case FaultNestedEcho:
		sp.echo = true
	case FaultTwoAssertions:
		sp.second = true
	case FaultIndented:
		sp.indent = indentBeforeSigning
	case FaultReindented:
		sp.indent = indentAfterSigning
	}
	return sp
}

// stackTrace is a Java-like stack trace of at least n bytes.
func stackTrace(n int) string {
	const frame = "\tat be.fgov.ehealth.sts.simulated.Frame.call(Frame.java:42)\n"
	return "java.lang.IllegalStateException: simulated\n" + strings.Repeat(frame, n/len(frame)+1)
}
