package soap

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
)

const (
	testAction = "urn:be:fgov:ehealth:test:protocol:v1:Ping"
	okAnswer   = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><p:PingResponse xmlns:p="urn:test"><Status>200</Status></p:PingResponse></soapenv:Body></soapenv:Envelope>`
	soaFault   = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Service unavailable</faultstring><detail><soa:SystemError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1"><Origin>Server</Origin><Code>SOA-02001</Code><Message xml:lang="en">The service is unavailable.</Message></soa:SystemError></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
)

// server answers every request with h, on loopback over plain HTTP.
func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ping() *etree.Element {
	el := etree.NewElement("p:Ping")
	el.CreateAttr("xmlns:p", "urn:test")
	return el
}

func TestCallSendsEnvelopeAndReadsPayload(t *testing.T) {
	var gotAction, gotType string
	var gotBody []byte
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		gotAction, gotType = r.Header.Get("SOAPAction"), r.Header.Get("Content-Type")
		gotBody, _ = io.ReadAll(r.Body)
		io.WriteString(w, okAnswer)
	})
	c := newClient(t, Options{URL: srv.URL})
	resp, err := c.Call(context.Background(), testAction, ping())
	if err != nil {
		t.Fatal(err)
	}
	if gotAction != `"`+testAction+`"` || gotType != "text/xml; charset=utf-8" {
		t.Errorf("SOAPAction %q, Content-Type %q", gotAction, gotType)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="` + NSWSSE + `" xmlns:wsu="` + NSWSU + `"><soap:Body><p:Ping xmlns:p="urn:test"/></soap:Body></soap:Envelope>`
	if string(gotBody) != want {
		t.Errorf("sent\n%s\nwant\n%s", gotBody, want)
	}
	if resp.Status != 200 || string(resp.Envelope) != okAnswer {
		t.Errorf("response %d %q", resp.Status, resp.Envelope)
	}
	p, err := resp.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if p.Tag != "PingResponse" || p.NamespaceURI() != "urn:test" || p.FindElement("Status").Text() != "200" {
		t.Errorf("payload %s", p.Tag)
	}
}

func TestAnswerErrors(t *testing.T) {
	big := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultstring>` +
		strings.Repeat("x", MaxAnswer) + `</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
	for _, tc := range []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error)
	}{
		{"SOA fault", 500, soaFault, func(t *testing.T, err error) {
			f, ok := errors.AsType[*Fault](err)
			if !ok || f.Code != "SOA-02001" || f.Message != "The service is unavailable." || f.Status != 500 || !f.Unavailable() {
				t.Fatalf("%#v", err)
			}
		}},
		{"plain fault on 200", 200, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>no</faultstring></s:Fault></s:Body></s:Envelope>`, func(t *testing.T, err error) {
			f, ok := errors.AsType[*Fault](err)
			if !ok || f.Code != "s:Client" || f.Message != "no" || f.Unavailable() {
				t.Fatalf("%#v", err)
			}
		}},
		{"fault in the header is not the answer's", 200, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><s:Fault/></s:Header><s:Body/></s:Envelope>`, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"HTTP 503 page", 503, `<html>down</html>`, func(t *testing.T, err error) {
			h, ok := errors.AsType[*HTTPError](err)
			if !ok || h.Status != 503 || !h.Unavailable() {
				t.Fatalf("%#v", err)
			}
		}},
		{"HTTP 404 page", 404, `<html>no</html>`, func(t *testing.T, err error) {
			h, ok := errors.AsType[*HTTPError](err)
			if !ok || h.Status != 404 || h.Unavailable() {
				t.Fatalf("%#v", err)
			}
		}},
		{"fault over 1 MiB", 500, big, func(t *testing.T, err error) {
			if _, ok := errors.AsType[*TooLargeError](err); !ok || errkind.Of(err) != "too-large" {
				t.Fatalf("%#v", err)
			}
			if msg := err.(*TooLargeError).Localize(nil); !strings.Contains(msg, "too large") || strings.Contains(msg, "internet") {
				t.Fatal(msg)
			}
		}},
		{"DOCTYPE", 200, `<!DOCTYPE x [<!ENTITY a "b">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`, func(t *testing.T, err error) {
			if a, ok := errors.AsType[*AnswerError](err); !ok || !strings.Contains(a.Reason, "DOCTYPE") {
				t.Fatalf("%#v", err)
			}
		}},
		{"not SOAP", 200, `<html/>`, func(t *testing.T, err error) {
			if _, ok := errors.AsType[*AnswerError](err); !ok {
				t.Fatalf("%#v", err)
			}
		}},
		{"no Body", 200, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>`, func(t *testing.T, err error) {
			if _, ok := errors.AsType[*AnswerError](err); !ok {
				t.Fatalf("%#v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t, answer(tc.status, tc.body))
			resp, err := newClient(t, Options{URL: srv.URL}).Call(context.Background(), testAction, ping())
			if resp == nil || resp.Status != tc.status {
				t.Errorf("the answer is not returned with the error: %+v", resp)
			}
			tc.check(t, err)
		})
	}
}

func TestRedirectIsRefused(t *testing.T) {
	var elsewhere int
	target := server(t, func(w http.ResponseWriter, r *http.Request) { elsewhere++; io.WriteString(w, okAnswer) })
	for _, status := range []int{301, 302, 307, 308} {
		srv := server(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/stolen", status)
		})
		for _, hc := range []*http.Client{nil, srv.Client()} {
			_, err := newClient(t, Options{URL: srv.URL, HTTPClient: hc}).Call(context.Background(), testAction, ping())
			re, ok := errors.AsType[*RedirectError](err)
			if !ok || re.Status != status || re.Location != target.URL+"/stolen" || errkind.Of(err) != "redirect" {
				t.Fatalf("%d: %#v", status, err)
			}
			if msg := re.Localize(i18n.New("fr")); !strings.Contains(msg, target.URL+"/stolen") {
				t.Errorf("the message does not name the target: %s", msg)
			}
		}
	}
	if elsewhere != 0 {
		t.Fatalf("the request was re-posted %d times to the redirect target", elsewhere)
	}
}

func TestOnlyHTTPSOrLoopback(t *testing.T) {
	for _, u := range []string{"https://services.ehealth.fgov.be/IAM/Saml11TokenService/v1", "http://127.0.0.1:8080/x",
		"http://127.3.4.5/x", "http://localhost:1/x", "http://LOCALHOST/x", "http://[::1]:99/x"} {
		if _, err := New(Options{URL: u}); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://services.ehealth.fgov.be/x", "http://10.0.0.1/x", "http://localhost.evil.example/x",
		"http://[::ffff:8.8.8.8]/x", "ftp://127.0.0.1/x", "file:///etc/passwd", "", "127.0.0.1:80", "https://"} {
		_, err := New(Options{URL: u})
		if _, ok := errors.AsType[*ConfigError](err); !ok || errkind.Of(err) != "config" {
			t.Errorf("%q: %v", u, err)
		}
	}
}

func TestDateSkew(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		date  []string
		skew  time.Duration
		known bool
	}{
		{[]string{now.Add(-10 * time.Minute).Format(http.TimeFormat)}, -10 * time.Minute, true},
		{[]string{now.Add(3*time.Minute + 20*time.Second).Format(http.TimeFormat)}, 3*time.Minute + 20*time.Second, true},
		{nil, 0, false},
		{[]string{"yesterday"}, 0, false},
	} {
		srv := server(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Date"] = tc.date // nil: no Date header at all
			w.WriteHeader(500)
			io.WriteString(w, soaFault)
		})
		resp, err := newClient(t, Options{URL: srv.URL, Now: func() time.Time { return now }}).Call(context.Background(), testAction, ping())
		if _, ok := errors.AsType[*Fault](err); !ok {
			t.Fatal(err)
		}
		if resp.Skew != tc.skew || resp.SkewKnown != tc.known {
			t.Errorf("Date %q: skew %v known %v, want %v %v", tc.date, resp.Skew, resp.SkewKnown, tc.skew, tc.known)
		}
	}
}

// tlsServer serves okAnswer with cert; caFile holds the certificate of its issuer.
func tlsServer(t *testing.T, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(answer(200, okAnswer))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func writePEM(t *testing.T, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// selfSignedTLS is a server certificate for 127.0.0.1, valid from notBefore to notAfter.
func selfSignedTLS(t *testing.T, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "test"},
		NotBefore: notBefore, NotAfter: notAfter, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestTLS(t *testing.T) {
	now := time.Now()
	good := selfSignedTLS(t, now.Add(-time.Hour), now.Add(time.Hour))
	srv := tlsServer(t, good)
	caFile := writePEM(t, good.Certificate[0])
	if _, err := newClient(t, Options{URL: srv.URL, CAFile: caFile}).Call(context.Background(), testAction, ping()); err != nil {
		t.Fatalf("trusted through CAFile: %v", err)
	}
	expired := selfSignedTLS(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	oldSrv := tlsServer(t, expired)
	wrongHost := "https://localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, tc := range []struct {
		name, url, caFile, reason string
	}{
		{"unknown authority (a TLS-inspecting proxy)", srv.URL, "", TLSUnknownAuthority},
		{"expired", oldSrv.URL, writePEM(t, expired.Certificate[0]), TLSExpired},
		{"wrong host", wrongHost, caFile, TLSWrongHost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newClient(t, Options{URL: tc.url, CAFile: tc.caFile}).Call(context.Background(), testAction, ping())
			te, ok := errors.AsType[*TLSError](err)
			if !ok || te.Reason != tc.reason || errkind.Of(err) != "tls-untrusted" {
				t.Fatalf("%#v", err)
			}
			msg := te.Localize(nil)
			if !strings.Contains(msg, "proxy or antivirus") || !strings.Contains(msg, "[sts] ca_file") {
				t.Errorf("message: %s", msg)
			}
		})
	}
}

func TestNetworkAndTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newClient(t, Options{URL: "http://" + addr + "/x"}).Call(context.Background(), testAction, ping())
	if _, ok := errors.AsType[*NetworkError](err); !ok || errkind.Of(err) != "network" {
		t.Fatalf("refused: %#v", err)
	}

	release := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	_, err = newClient(t, Options{URL: srv.URL, Timeout: 100 * time.Millisecond}).Call(context.Background(), testAction, ping())
	if _, ok := errors.AsType[*TimeoutError](err); !ok || errkind.Of(err) != "timeout" {
		t.Fatalf("timeout: %#v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newClient(t, Options{URL: srv.URL}).Call(ctx, testAction, ping()); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %#v", err)
	}
}
