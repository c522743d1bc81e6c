package etk

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/etk/etktest"
	"ehealth-tray/soap"
)

func TestFetchOwnETK(t *testing.T) {
	w := fixtures(t)
	srv, c := depot(t)
	publish(t, srv, testSSIN, "", w.renewed)

	tokens, err := c.Fetch(context.Background(), testSSIN)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 1 || !bytes.Equal(tokens[0].Cert.Raw, w.renewed.EncCerts[0].Raw) || tokens[0].ApplicationID != "" {
		t.Fatalf("tokens %+v: want the published encryption certificate", tokens)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Err != nil || r.Type != "SSIN" || r.Value != testSSIN || !r.ApplicationIDPresent || r.ApplicationID != "" || r.SOAPAction != `""` {
		t.Fatalf("request %+v: want Type SSIN, the NISS, an empty ApplicationID and SOAPAction \"\"", r)
	}
}

func TestFetchNotFound(t *testing.T) {
	_, c := depot(t)
	tokens, err := c.Fetch(context.Background(), testSSIN)
	if err != nil || tokens != nil {
		t.Fatalf("NO_MATCHING_ETK: %v, %v; want no token and no error", tokens, err)
	}
}

func TestFetchMatchingEtk(t *testing.T) {
	w := fixtures(t)
	srv, c := depot(t)
	srv.SetMatching(testSSIN, "",
		etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: "app1"},
		etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: "app2"},
		etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: "app1"}, // listed twice
		etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: "gone"}, // NO_MATCHING_ETK
		etktest.Identifier{Type: "NIHII", Value: "53886171521", ApplicationID: "x"},
	)
	publish(t, srv, testSSIN, "app1", w.old)
	publish(t, srv, testSSIN, "app2", w.renewed)

	tokens, err := c.Fetch(context.Background(), testSSIN)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 2 || tokens[0].ApplicationID != "app1" || tokens[1].ApplicationID != "app2" ||
		!bytes.Equal(tokens[1].Cert.Raw, w.renewed.EncCerts[0].Raw) {
		t.Fatalf("tokens %+v: want app1's and app2's", tokens)
	}
	var asked []string
	for _, r := range srv.Requests() {
		asked = append(asked, r.Type+"/"+r.ApplicationID)
	}
	if got := strings.Join(asked, " "); got != "SSIN/ SSIN/app1 SSIN/app2 SSIN/gone" {
		t.Fatalf("asked %s: each SSIN entry once, other identifiers never", got)
	}
}

// Each bad answer has its kind.
func TestFetchBadAnswers(t *testing.T) {
	w := fixtures(t)
	self := etktest.Identifier{Type: "SSIN", Value: testSSIN}
	app := etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: "app"}
	tests := []struct {
		name  string
		setup func(*etktest.Server)
		kind  string
		// why is part of the error's text: the case failed for its own reason.
		why string
	}{
		{"status 500", fault(etktest.FaultStatus, "500"), "etk-unavailable", "status 500"},
		{"status 404", fault(etktest.FaultStatus, "404"), "etk-response", `status "404"`},
		{"status 400", fault(etktest.FaultStatus, "400"), "etk-response", `status "400"`},
		{"error with 200", fault(etktest.FaultError, ""), "etk-response", "INVALID_SSIN_NUMBER"},
		{"SOAP fault", fault(etktest.FaultSOAP, ""), "etk-unavailable", "SOA-02001"},
		{"HTTP 404", fault(etktest.FaultHTTP404, ""), "etk-response", "HTTP 404"},
		{"HTTP 500", fault(etktest.FaultHTTP500, ""), "etk-unavailable", "HTTP 500"},
		{"garbage answer", fault(etktest.FaultGarbage, ""), "etk-response", "not a SOAP answer"},
		{"answer over 1 MiB", fault(etktest.FaultHuge, ""), "etk-response", "too large"},
		{"ETK for another SSIN", func(s *etktest.Server) { publish(t, s, testSSIN, "", w.other) }, "etk-response", `ETK for SSIN "` + otherSSIN},
		{"garbage ETK", func(s *etktest.Server) { s.PublishRaw(testSSIN, "", []byte("not a CMS at all")) }, "etk-response", "not a CMS SignedData"},
		{"huge ETK", func(s *etktest.Server) { s.PublishRaw(testSSIN, "", randomBytes(t, MaxETK+1)) }, "etk-response", "ETK of more than"},
		{"CMS of something else", func(s *etktest.Server) { s.PublishRaw(testSSIN, "", signedText(t, s)) }, "etk-response", "content is not a certificate"},
		{"MatchingEtk names the query", func(s *etktest.Server) { s.SetMatching(testSSIN, "", self) }, "etk-response", "names the query itself"},
		{"MatchingEtk answers MatchingEtk", func(s *etktest.Server) {
			s.SetMatching(testSSIN, "", app)
			s.SetMatching(testSSIN, "app", app)
		}, "etk-response", "answered with another list"},
		{"too many MatchingEtk", func(s *etktest.Server) {
			ids := make([]etktest.Identifier, maxMatching+1)
			for i := range ids {
				ids[i] = etktest.Identifier{Type: "SSIN", Value: testSSIN, ApplicationID: fmt.Sprint(i)}
			}
			s.SetMatching(testSSIN, "", ids...)
		}, "etk-response", "more than 16 MatchingEtk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := depot(t)
			tt.setup(srv)
			tokens, err := c.Fetch(context.Background(), testSSIN)
			if got := errkind.Of(err); got != tt.kind {
				t.Fatalf("kind %q (%v, %d tokens), want %q", got, err, len(tokens), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("error %q does not say %q", err, tt.why)
			}
			if n := len(srv.Requests()); n > 2 {
				t.Fatalf("%d requests: a loop must stop at once", n)
			}
		})
	}
}

func fault(f etktest.Fault, code string) func(*etktest.Server) {
	return func(s *etktest.Server) { s.SetFault(f, code, "") }
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// signedText is a CMS SignedData like an ETK's whose content is text.
func signedText(t *testing.T, s *etktest.Server) []byte {
	t.Helper()
	b, err := s.BuildETK(s.RACert()) // content: the RA's own DER is a certificate…
	if err != nil {
		t.Fatal(err)
	}
	// …so swap it for text of the same length: still a valid CMS structure.
	der := s.RACert().Raw
	i := bytes.Index(b, der)
	if i < 0 {
		t.Fatal("content not found in the CMS")
	}
	copy(b[i:], bytes.Repeat([]byte("x"), len(der)))
	return b
}

func TestFetchTransportErrors(t *testing.T) {
	// Untrusted: the simulator's certificate without its CA file.
	srv, err := etktest.New(etktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := NewClient(Options{URL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Fetch(context.Background(), testSSIN)
	if errkind.Of(err) != "tls-untrusted" {
		t.Errorf("untrusted server: %v, want tls-untrusted", err)
	}

	// Network: nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, _ = NewClient(Options{URL: "https://" + addr + etktest.Path, Timeout: 5 * time.Second})
	if _, err = c.Fetch(context.Background(), testSSIN); errkind.Of(err) != "network" {
		t.Errorf("closed port: %v, want network", err)
	}

	// Timeout: a depot that never answers.
	release := make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	c, _ = NewClient(Options{URL: slow.URL, Timeout: 200 * time.Millisecond, HTTPClient: slow.Client()})
	if _, err = c.Fetch(context.Background(), testSSIN); errkind.Of(err) != "timeout" {
		t.Errorf("silent depot: %v, want timeout", err)
	}
}

func TestNewClientRefusesPlainHTTP(t *testing.T) {
	_, err := NewClient(Options{URL: "http://services.ehealth.fgov.be/EtkDepot/v1"})
	if _, ok := errors.AsType[*soap.ConfigError](err); !ok {
		t.Fatalf("plain http to a remote host: %v, want a config error", err)
	}
}

// TestTraceFilesNamedETK: --trace writes the depot exchange as
// etk-request.xml and etk-response.xml, beside the STS's.
func TestTraceFilesNamedETK(t *testing.T) {
	srv, err := etktest.New(etktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	c, err := NewClient(Options{URL: srv.URL, HTTPClient: srv.Client(), TraceDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(context.Background(), testSSIN); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"etk-request.xml", "etk-response.xml"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Contains(b, []byte("Envelope")) {
			t.Errorf("%s: %v (%d bytes)", name, err, len(b))
		}
	}
}
