// Package etktest runs a simulator of eHealth's EtkDepot (GetEtk,
// ehealth-protocol.md §11), in the manner of net/http/httptest, for tests
// and for the app's demo.
//
// It shares no code with package etk, so it cannot share its bugs. It reads
// each request with its own parser, records it (Requests), and answers as
// the depot does: Status 200 and the ETK published for the (SSIN,
// ApplicationID) asked, or a MatchingEtk list, or Error NO_MATCHING_ETK.
// The ETK is built as eHealth builds it: a DER CMS SignedData, signed by an
// "ETK-RA" certificate, whose encapsulated content is the DER encryption
// certificate, carrying the authentication certificate and its chain.
//
// Faults (SetFault) make it answer what a client must survive: a Status
// other than 200, an Error other than NO_MATCHING_ETK, SOAP faults, HTTP
// 404 and 500 pages, garbage and answers over 1 MiB. PublishAt schedules a
// new ETK, as the demo does when the renewal ETK gets "activated".
package etktest

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
)

// Path is where Server serves the depot, like the real endpoint.
const Path = "/EtkDepot/v1"

// Server is a Depot served over HTTPS on 127.0.0.1, on a random port.
type Server struct {
	*Depot
	// URL is the depot endpoint, https://127.0.0.1:port/EtkDepot/v1.
	URL string
	ts  *httptest.Server
}

// New starts a Depot over HTTPS with httptest's certificate: Client and
// CACertPEM trust it.
func New(o Options) (*Server, error) {
	d, err := NewDepot(o)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(Path, d)
	ts := httptest.NewTLSServer(mux)
	return &Server{Depot: d, URL: ts.URL + Path, ts: ts}, nil
}

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// Client is an HTTP client that trusts the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// CACertPEM is the PEM certificate that authenticates the server, for a
// CA file.
func (s *Server) CACertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
}

// Certificate is the server's TLS certificate.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }
