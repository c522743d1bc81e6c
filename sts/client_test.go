package sts

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/errkind"
	"ehealth-tray/soap"
)

// stsServer is a TLS server on loopback, with its certificate in a PEM file
// for ClientOptions.CAFile.
func stsServer(t *testing.T, h http.HandlerFunc) (srv *httptest.Server, caFile string) {
	t.Helper()
	srv = httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, caFile
}

// holdAnswer waits until the client gives up. The server only notices a
// closed connection once the request body has been read.
func holdAnswer(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// newTestClient makes a client that does not retry unless o asks to.
func newTestClient(t *testing.T, o ClientOptions) *Client {
	t.Helper()
	if o.RetryDelays == nil {
		o.RetryDelays = []time.Duration{}
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func signedTestRequest(t *testing.T) *SignedRequest {
	t.Helper()
	hok, _, ecID := stsKeys(t)
	req, err := BuildRequest(RequestParams{Identification: ecID, HOK: hok, SSIN: reqSSIN, Quality: "physiotherapist"})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestClientSuccess(t *testing.T) {
	srv, caFile := stsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "text/xml; charset=utf-8" ||
			r.Header.Get("SOAPAction") != `"urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken"` {
			http.Error(w, "bad method or headers", http.StatusBadRequest)
			return
		}
		doc := etree.NewDocument()
		if _, err := doc.ReadFrom(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := doc.FindElement("/soap:Envelope/soap:Body/samlp:Request")
		if req == nil {
			http.Error(w, "no Request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(w, stsResponseXML(req.SelectAttrValue("RequestID", ""), `<samlp:StatusCode Value="samlp:Success"/>`, stsAssertionXML))
	})
	// The canned assertion is valid on 4 March 2025.
	at := func() time.Time { return time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC) }
	c := newTestClient(t, ClientOptions{URL: srv.URL, CAFile: caFile, Timeout: 10 * time.Second, Now: at})
	req := signedTestRequest(t)
	a, err := c.RequestToken(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "_a1b2" || a.InResponseTo != req.RequestID {
		t.Errorf("assertion %q in response to %q, want _a1b2 for %q", a.ID, a.InResponseTo, req.RequestID)
	}
}

func TestClientErrors(t *testing.T) {
	req := signedTestRequest(t)
	soaFault := stsFaultXML(`<detail><soa:SystemError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1"><Code>SOA-01001</Code><Message>Not authenticated</Message></soa:SystemError></detail>`)
	cases := []struct {
		name    string
		status  int
		body    string
		kind    string
		timeout time.Duration
		check   func(t *testing.T, err error)
	}{
		{name: "503", status: 503, body: "<html>down</html>", kind: "sts-unavailable", check: func(t *testing.T, err error) {
			ue, ok := errors.AsType[*UnavailableError](err)
			if !ok || ue.Status != 503 || !strings.Contains(ue.Localize(nil), "temporarily unavailable") || strings.Contains(ue.Localize(nil), "internet") {
				t.Errorf("want a 503 UnavailableError saying temporarily unavailable, got %v", err)
			}
		}},
		{name: "502 without fault", status: 502, body: "bad gateway", kind: "sts-unavailable", check: func(t *testing.T, err error) {
			if ue, ok := errors.AsType[*UnavailableError](err); !ok || ue.Status != 502 {
				t.Errorf("want a 502 UnavailableError, got %v", err)
			}
		}},
		{name: "500 with SOA-02 fault", status: 500, body: strings.ReplaceAll(soaFault, "SOA-01001", "SOA-02002"), kind: "sts-unavailable"},
		{name: "404 page", status: 404, body: "<html>not here</html>", kind: "sts-response"},
		{name: "500 with SOA fault", status: 500, body: soaFault, kind: "sts-fault", check: func(t *testing.T, err error) {
			var f *STSFault
			if !errors.As(err, &f) || f.Code != "SOA-01001" || f.Message != "Not authenticated" {
				t.Errorf("want STSFault SOA-01001, got %v", err)
			}
		}},
		{name: "200 malformed", status: 200, body: "<soapenv:Envelope", kind: "sts-response"},
		{name: "200 wrong InResponseTo", status: 200, body: stsSuccessXML(), kind: "sts-response"},
		{name: "over 1 MiB", status: 200, body: strings.Repeat(" ", soap.MaxAnswer+1), kind: "too-large"},
		{name: "fault over 1 MiB", status: 500, body: strings.Replace(soaFault, "Not authenticated", strings.Repeat("x", soap.MaxAnswer), 1), kind: "too-large"},
		{name: "redirect", status: 307, body: "", kind: "redirect"},
		{name: "slow", status: 200, body: "never sent", kind: "timeout", timeout: 100 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, caFile := stsServer(t, func(w http.ResponseWriter, r *http.Request) {
				if c.timeout > 0 {
					holdAnswer(r)
					return
				}
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			})
			cl := newTestClient(t, ClientOptions{URL: srv.URL, CAFile: caFile, Timeout: c.timeout})
			a, err := cl.RequestToken(context.Background(), req)
			if err == nil {
				t.Fatalf("got assertion %q, want an error", a.ID)
			}
			if got := errkind.Of(err); got != c.kind {
				t.Errorf("kind %q, want %q (%v)", got, c.kind, err)
			}
			if c.check != nil {
				c.check(t, err)
			}
		})
	}
}

func TestClientUnknownCA(t *testing.T) {
	srv, _ := stsServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("request reached a server the client must not trust")
	})
	c := newTestClient(t, ClientOptions{URL: srv.URL, Timeout: 10 * time.Second})
	_, err := c.RequestToken(context.Background(), signedTestRequest(t))
	if got := errkind.Of(err); got != "tls-untrusted" {
		t.Fatalf("kind %q, want tls-untrusted (%v)", got, err)
	}
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("want a certificate verification failure, got %v", err)
	}
}

func TestClientConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + l.Addr().String() + "/sts"
	l.Close()
	c := newTestClient(t, ClientOptions{URL: url, Timeout: 10 * time.Second})
	_, err = c.RequestToken(context.Background(), signedTestRequest(t))
	if got := errkind.Of(err); got != "network" {
		t.Fatalf("kind %q, want network (%v)", got, err)
	}
}

// TestClientCanceled: a canceled request (Ctrl+C, Stop) ends at once with
// ctx's error and is never sent again, even with retries configured.
func TestClientCanceled(t *testing.T) {
	var posts atomic.Int32
	srv, caFile := stsServer(t, func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		holdAnswer(r)
	})
	c := newTestClient(t, ClientOptions{URL: srv.URL, CAFile: caFile, RetryDelays: []time.Duration{time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.RequestToken(ctx, signedTestRequest(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if n := posts.Load(); n != 1 {
		t.Fatalf("%d posts, want 1: a canceled request was tried again", n)
	}
}

func TestNewClientErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]ClientOptions{
		"no URL":         {},
		"missing CAFile": {URL: "https://sts.example", CAFile: filepath.Join(dir, "missing.pem")},
		"CAFile not PEM": {URL: "https://sts.example", CAFile: notPEM},
	} {
		if _, err := NewClient(o); errkind.Of(err) != "config" {
			t.Errorf("%s: %v (kind %q), want kind config", name, err, errkind.Of(err))
		}
	}
}
