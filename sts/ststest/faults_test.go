package ststest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// conditions returns the assertion's NotBefore and NotOnOrAfter.
func conditions(t testing.TB, a *etree.Element) (time.Time, time.Time) {
	t.Helper()
	c := child(a, nsSAML, "Conditions")
	nb, err1 := time.Parse(time.RFC3339, c.SelectAttrValue("NotBefore", ""))
	na, err2 := time.Parse(time.RFC3339, c.SelectAttrValue("NotOnOrAfter", ""))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return nb, na
}

func TestFaults(t *testing.T) {
	p := getPKI(t)
	statusOf := func(t *testing.T, body []byte) (*etree.Element, *etree.Element) {
		r := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSAMLP, "Response"})
		if r == nil {
			t.Fatalf("no samlp:Response in\n%s", body)
		}
		return r, child(r, nsSAMLP, "Status")
	}
	tests := []struct {
		name          string
		fault         Fault
		code, message string
		check         func(t *testing.T, s *Server, resp *http.Response, body []byte, id string)
	}{
		{"SOA default", FaultSOA, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			if got := faultCode(t, resp, body); got != CodeUnavailable {
				t.Errorf("code %s, want %s", got, CodeUnavailable)
			}
			f := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSOAP, "Fault"})
			if got := child(f, "", "faultcode").Text(); got != "soapenv:Server" {
				t.Errorf("faultcode %q", got)
			}
			if got := child(f, "", "faultstring").Text(); got != "Service is not available. Please contact service desk." {
				t.Errorf("faultstring %q", got)
			}
		}},
		{"SOA given", FaultSOA, CodeNotAuthorized, "Call not authorized: no doctor", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			if got := faultCode(t, resp, body); got != CodeNotAuthorized {
				t.Errorf("code %s", got)
			}
			f := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSOAP, "Fault"})
			if got := child(f, "", "faultstring").Text(); got != "Call not authorized: no doctor" {
				t.Errorf("faultstring %q", got)
			}
			if got := child(f, "", "faultcode").Text(); got != "soapenv:Client" {
				t.Errorf("faultcode %q", got)
			}
		}},
		{"status", FaultStatus, "", "Unknown SSIN", func(t *testing.T, s *Server, resp *http.Response, body []byte, id string) {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("HTTP %d", resp.StatusCode)
			}
			r, st := statusOf(t, body)
			if got := child(st, nsSAMLP, "StatusCode").SelectAttrValue("Value", ""); got != "samlp:Requester" {
				t.Errorf("StatusCode %q", got)
			}
			if got := child(st, nsSAMLP, "StatusMessage").Text(); got != "Unknown SSIN" {
				t.Errorf("StatusMessage %q", got)
			}
			if r.SelectAttrValue("InResponseTo", "") != id || child(r, nsSAML, "Assertion") != nil {
				t.Errorf("status answer: InResponseTo %q, assertion present: %v", r.SelectAttrValue("InResponseTo", ""), child(r, nsSAML, "Assertion") != nil)
			}
		}},
		{"status given code", FaultStatus, "samlp:Responder", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			_, st := statusOf(t, body)
			if got := child(st, nsSAMLP, "StatusCode").SelectAttrValue("Value", ""); got != "samlp:Responder" {
				t.Errorf("StatusCode %q", got)
			}
			if child(st, nsSAMLP, "StatusMessage").Text() == "" {
				t.Error("no StatusMessage")
			}
		}},
		{"HTTP 500", FaultHTTP500, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}},
		{"HTTP 503", FaultHTTP503, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("HTTP %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}},
		{"malformed", FaultMalformed, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, _ string) {
			if resp.StatusCode != http.StatusOK || len(body) == 0 {
				t.Errorf("HTTP %d, %d bytes", resp.StatusCode, len(body))
			}
			if err := etree.NewDocument().ReadFromBytes(body); err == nil {
				t.Errorf("answer is well-formed XML:\n%s", body)
			}
		}},
		{"wrong InResponseTo", FaultWrongInResponseTo, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, id string) {
			r, _ := statusOf(t, body)
			if got := r.SelectAttrValue("InResponseTo", ""); got == "" || got == id {
				t.Errorf("InResponseTo %q, request %q", got, id)
			}
			successAssertion(t, s, body, r.SelectAttrValue("InResponseTo", ""))
		}},
		{"expired", FaultExpired, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, id string) {
			_, na := conditions(t, successAssertion(t, s, body, id))
			if !na.Before(time.Now()) {
				t.Errorf("NotOnOrAfter %s has not passed", na)
			}
		}},
		{"slow but patient client", FaultSlow, "", "", func(t *testing.T, s *Server, resp *http.Response, body []byte, id string) {
			successAssertion(t, s, body, id)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{Delay: 10 * time.Millisecond})
			s.SetFault(tt.fault, tt.code, tt.message)
			env, id := build(t, eidSpec(p, p.eidRSA))
			resp, body := post(t, s, env)
			tt.check(t, s, resp, body, id)
			if rs := s.Requests(); len(rs) != 1 || rs[0].Err != nil {
				t.Errorf("the request was not recorded as valid: %d requests, %v", len(rs), rs[0].Err)
			}

			s.SetFault(FaultNone, "", "")
			env, id = build(t, eidSpec(p, p.eidRSA))
			if resp, body := post(t, s, env); resp.StatusCode == http.StatusOK {
				successAssertion(t, s, body, id)
			} else {
				t.Errorf("after FaultNone: HTTP %d", resp.StatusCode)
			}
		})
	}
}

func TestFaultTruncated(t *testing.T) {
	s := newServer(t, Options{})
	s.SetFault(FaultTruncated, "", "")
	env, _ := build(t, eidSpec(getPKI(t), getPKI(t).eidEC))
	resp, body, err := postCtx(context.Background(), s, env)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if resp.StatusCode != http.StatusOK || resp.ContentLength <= int64(len(body)) {
		t.Errorf("HTTP %d, Content-Length %d, got %d bytes", resp.StatusCode, resp.ContentLength, len(body))
	}
}

func TestFaultSlowClientGivesUp(t *testing.T) {
	s := newServer(t, Options{Delay: time.Hour})
	s.SetFault(FaultSlow, "", "")
	env, _ := build(t, eidSpec(getPKI(t), getPKI(t).eidRSA))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := postCtx(ctx, s, env); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	// A second request still waiting when the server closes must not keep
	// Close waiting for an hour.
	done := make(chan error, 1)
	go func() { _, _, err := postCtx(context.Background(), s, env); done <- err }()
	waitRequests(t, s.STS, 2)
	s.Close()
	if err := <-done; err == nil {
		t.Error("the pending request got an answer after Close")
	}
}

func TestSetValidity(t *testing.T) {
	s := newServer(t, Options{Validity: 12 * time.Hour})
	p := getPKI(t)
	for _, want := range []time.Duration{12 * time.Hour, 90 * time.Minute} {
		s.SetValidity(want)
		env, id := build(t, fallbackSpec(p))
		_, body := post(t, s, env)
		a := successAssertion(t, s, body, id)
		_, na := conditions(t, a)
		issued, err := time.Parse(time.RFC3339, a.SelectAttrValue("IssueInstant", ""))
		if err != nil {
			t.Fatal(err)
		}
		if got := na.Sub(issued); got != want {
			t.Errorf("validity %s from IssueInstant, want %s", got, want)
		}
	}
}

func TestServerClock(t *testing.T) {
	p := getPKI(t)
	offset := 2 * time.Hour
	s := newServer(t, Options{Now: func() time.Time { return time.Now().Add(offset) }})
	env, _ := build(t, eidSpec(p, p.eidRSA))
	resp, body := post(t, s, env)
	faultCode(t, resp, body)
	var re *RequestError
	if !errors.As(s.Requests()[0].Err, &re) || re.Check != CheckTimestamp {
		t.Errorf("Err = %v, want a timestamp rejection", s.Requests()[0].Err)
	}

	spec := eidSpec(p, p.eidRSA)
	spec.created = time.Now().Add(offset)
	env, id := build(t, spec)
	resp, body = post(t, s, env)
	nb, _ := conditions(t, successAssertion(t, s, body, id))
	if d := time.Until(nb.Add(notBeforeBackdate)); d < offset-time.Minute || d > offset+time.Minute {
		t.Errorf("NotBefore %s is not 5 minutes before the server clock", nb)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || time.Until(d) < offset-time.Minute {
		t.Errorf("Date %q is not on the server clock (%v)", resp.Header.Get("Date"), err)
	}
}

func TestTLS(t *testing.T) {
	p := getPKI(t)
	s := newServer(t, Options{TLS: true})
	if s.URL[:8] != "https://" {
		t.Fatalf("URL %s", s.URL)
	}
	env, id := build(t, fallbackSpec(p))
	_, body := post(t, s, env)
	successAssertion(t, s, body, id)

	// A client configured with CACertPEM only, as `[sts] ca_file` would.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CACertPEM()) {
		t.Fatal("CACertPEM is not a PEM certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer c.CloseIdleConnections()
	resp, err := c.Post(s.URL, "text/xml; charset=utf-8", nil)
	if err != nil {
		t.Fatalf("client trusting CACertPEM: %v", err)
	}
	resp.Body.Close()

	var unknown *tls.CertificateVerificationError
	if _, err := http.Post(s.URL, "text/xml", nil); !errors.As(err, &unknown) {
		t.Errorf("default client: err = %v, want a certificate verification error", err)
	}
	if plain := newServer(t, Options{}); plain.CACertPEM() != nil {
		t.Error("CACertPEM without TLS")
	}
}
