package ststest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func newTLSServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func readAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noRedirect is the server's client, refusing to follow redirects.
func noRedirect(s *Server) *http.Client {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func TestDateHeader(t *testing.T) {
	p := getPKI(t)
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		mode   DateMode
		offset time.Duration
		fault  Fault
		want   string // "" for no header
	}{
		{"server clock", DateNormal, 0, FaultNone, "Sun, 01 Mar 2026 10:00:00 GMT"},
		{"PC ten minutes behind", DateNormal, 10 * time.Minute, FaultNone, "Sun, 01 Mar 2026 10:10:00 GMT"},
		{"PC ahead, on a SOAP fault", DateNormal, -3 * time.Minute, FaultSOA, "Sun, 01 Mar 2026 09:57:00 GMT"},
		{"on an HTML 503", DateNormal, time.Hour, FaultHTTP503, "Sun, 01 Mar 2026 11:00:00 GMT"},
		{"on a redirect", DateNormal, 0, FaultRedirectHTTP, "Sun, 01 Mar 2026 10:00:00 GMT"},
		{"missing", DateMissing, 0, FaultNone, ""},
		{"malformed", DateMalformed, 0, FaultNone, malformedDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{Now: func() time.Time { return clock }})
			s.SetDate(tt.mode, tt.offset)
			s.SetFault(tt.fault, "", "")
			spec := fallbackSpec(p)
			spec.created = clock
			env, _ := build(t, spec)
			resp, _ := post(t, s, env)
			got, present := resp.Header["Date"]
			switch {
			case tt.want == "" && present:
				t.Errorf("Date %q, want none", got)
			case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
				t.Errorf("Date %q, want %q", got, tt.want)
			}
			if tt.mode == DateMalformed {
				if _, err := http.ParseTime(got[0]); err == nil {
					t.Errorf("malformed Date %q parses", got[0])
				}
			}
		})
	}

	s := newServer(t, Options{Now: func() time.Time { return clock }, DateOffset: time.Minute})
	resp, err := s.Client().Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if got := resp.Header.Get("Date"); resp.StatusCode != http.StatusMethodNotAllowed || got != "Sun, 01 Mar 2026 10:01:00 GMT" {
		t.Errorf("GET: HTTP %d, Date %q", resp.StatusCode, got)
	}
}

func TestRedirect(t *testing.T) {
	p := getPKI(t)
	tests := []struct {
		fault         Fault
		code, message string
		status        int
		scheme        string
	}{
		{FaultRedirectHTTP, "", "", http.StatusTemporaryRedirect, "http"},
		{FaultRedirectHTTP, "308", "", http.StatusPermanentRedirect, "http"},
		{FaultRedirectHTTPS, "", "", http.StatusPermanentRedirect, "https"},
		{FaultRedirectHTTPS, "307", "https://trap.example/sts", http.StatusTemporaryRedirect, "https"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault)+tt.code, func(t *testing.T) {
			s := newServer(t, Options{TLS: true})
			s.SetFault(tt.fault, tt.code, tt.message)
			env, _ := build(t, fallbackSpec(p))
			resp, _ := post(t, s, env)
			if resp.StatusCode != tt.status {
				t.Errorf("HTTP %d, want %d", resp.StatusCode, tt.status)
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || loc.Scheme != tt.scheme {
				t.Fatalf("Location %q (%v)", resp.Header.Get("Location"), err)
			}
			if tt.message != "" {
				if loc.String() != tt.message {
					t.Errorf("Location %s, want %s", loc, tt.message)
				}
				return
			}
			own, _ := url.Parse(s.URL)
			if loc.Hostname() != "127.0.0.2" || loc.Port() != own.Port() || loc.Path != Path {
				t.Errorf("Location %s is not %s on 127.0.0.2", loc, Path)
			}
			if len(s.Requests()) != 1 || s.Requests()[0].Err != nil {
				t.Error("the redirected request was not recorded as valid")
			}
		})
	}
}

func TestHugeSOAPFault(t *testing.T) {
	_, resp, body := postWithFault(t, FaultHugeSOAP)
	if len(body) <= 1<<20 {
		t.Errorf("%d bytes, want over 1 MiB", len(body))
	}
	if got := faultCode(t, resp, body); got != CodeServiceError {
		t.Errorf("code %s", got)
	}
	if cl, _ := strconv.Atoi(resp.Header.Get("Content-Length")); cl != 0 && cl != len(body) {
		t.Errorf("Content-Length %d, body %d", cl, len(body))
	}
}

// A closed mounted STS drops a pending slow answer instead of holding its
// host server's Close.
func TestSTSCloseEndsSlowAnswers(t *testing.T) {
	p := getPKI(t)
	h, err := NewSTS(Options{Delay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h.SetFault(FaultSlow, "", "")
	ts := httptest.NewServer(h)
	defer ts.Close()
	env, _ := build(t, fallbackSpec(p))
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+Path, bytes.NewReader(env))
		req.Header.Set("Content-Type", contentTypeXML)
		req.Header.Set("SOAPAction", soapAction)
		resp, err := ts.Client().Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	waitRequests(t, h, 1)
	h.Close()
	var opErr *net.OpError
	if err := <-done; err == nil || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &opErr)) {
		t.Errorf("err = %v, want a dropped connection", err)
	}
}
