// Package ststest runs a simulator of the eHealth SAML 1.1 STS on loopback,
// in the manner of net/http/httptest, for tests and for the app's demo mode.
//
// The simulator verifies requests the way the real STS does, with its own
// code (it shares nothing with package sts, so it cannot share its bugs):
// the WS-Security signature over Body, Timestamp and BinarySecurityToken, the
// freshness of the Timestamp (Created within 5 minutes of the server clock,
// Expires not passed), the enveloped signature on samlp:Request by the
// holder-of-key (HOK) key (rsa-sha1 or rsa-sha256), the HOK certificate, its
// chain, the NameIdentifier, the asserted SSIN and the AttributeDesignators
// (see Designators). A valid request gets an STS-signed assertion; a bad one
// gets the SOAP fault of the eHealth ESB:
//
//	<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
//	  <soapenv:Body>
//	    <soapenv:Fault>
//	      <faultcode>soapenv:Client</faultcode>
//	      <faultstring>Call not authenticated.</faultstring>
//	      <detail>
//	        <soa:SystemError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1" Id="_…">
//	          <Origin>Client</Origin>
//	          <Code>SOA-01001</Code>
//	          <Message xml:lang="en">Call not authenticated.</Message>
//	          <soa:Environment>Simulation</soa:Environment>
//	        </soa:SystemError>
//	      </detail>
//	    </soapenv:Fault>
//	  </soapenv:Body>
//	</soapenv:Envelope>
//
// sent with HTTP status 500 (SOAP 1.1 over HTTP). Signature, certificate and
// identity problems answer SOA-01001; malformed requests SOA-03001 (not XML),
// SOA-03002 (not SOAP), SOA-03003 (no Body), SOA-03005 (wrong SOAPAction),
// SOA-03006 (missing elements) or SOA-03007 (bad values). SOA-00xxx and
// SOA-02xxx are server faults (faultcode soapenv:Server, Origin Server). A
// request whose designators are not one profession's list gets a SAML
// refusal instead (see Designators). The precise reason, which the real STS
// keeps to itself, is in Requests().
//
// Success answers have the shape of a real eHealth answer (ehealth-protocol.md
// §6): the assertion in the default namespace, signed rsa-sha1 by the STS
// certificate, NotBefore 5 minutes in the past, the NameIdentifier and its
// NameQualifier re-rendered as Java's X500Name does (SERIALNUMBER=, SURNAME=,
// GIVENNAME= where the request had OID.2.5.4.5=, OID.2.5.4.4=, OID.2.5.4.42=)
// and the base64 certificates wrapped at 76 characters, inside the signed
// content. Every answer carries an HTTP Date header from the simulator's
// clock (see SetDate).
//
// Whether the real STS compares the NameIdentifier strictly is open
// (ehealth-protocol.md §3); Options.DisableStrictNameID switches to a
// comparison of the DN's attributes whatever their order and spelling.
package ststest

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"
)

// Options configure a simulator. The zero value is usable.
type Options struct {
	// Validity of the answered assertions from now (NotOnOrAfter - now);
	// default 24h.
	Validity time.Duration
	// Attributes are certified attribute values by full AttributeName, answered
	// when the request designates them. They override the defaults: "true" for
	// …:boolean, NIHII for …:nihii11, GivenName and Surname.
	Attributes map[string]string
	// NIHII answers every …:nihii11 attribute, whatever the quality.
	NIHII              string
	GivenName, Surname string
	// TrustedCAs the HOK certificate must chain to (in fallback mode that is
	// also the header certificate); empty: no chain check.
	TrustedCAs []*x509.Certificate
	// StrictNameID compares NameIdentifier and NameQualifier as exact strings.
	// New sets it to !DisableStrictNameID.
	StrictNameID        bool
	DisableStrictNameID bool
	// LenientDesignators accepts known designators that are not exactly one
	// profession's list (see Designators); unknown names are still refused.
	LenientDesignators bool
	// Delay of FaultSlow.
	Delay time.Duration
	// Now is the server clock; default time.Now.
	Now func() time.Time
	// DateOffset is added to the server clock in the HTTP Date header, as if
	// the client's PC were that much behind; Date chooses a missing or
	// malformed header instead. SetDate changes both.
	DateOffset time.Duration
	Date       DateMode
	// STS signs the assertions; default: a fresh self-signed credential
	// valid from a year ago for ten years. SetSTSCredential changes it.
	STS *Credential
	// AnswerSignature is the STS signature algorithm; default rsa-sha1, as
	// the real acceptance STS signed in 2020.
	AnswerSignature SignatureAlgorithm
	// ExternalVerifier, if set, also checks each envelope that passed the
	// simulator's own checks, e.g. XMLSecVerifier.
	ExternalVerifier func(envelope []byte) error
	// TLS serves HTTPS with httptest's certificate; Client and CACertPEM trust
	// it. Only for New.
	TLS bool
	// Logger receives one line per rejected request; default: discard.
	Logger *slog.Logger
}

// Received is one request the simulator got.
type Received struct {
	Envelope []byte
	// Err is why the request was rejected (a *RequestError), nil if it passed.
	Err error
	At  time.Time
	// Quality whose §5 designator list the request asked for, "" if none.
	Quality string
	// HolderOfKey is the request's holder-of-key certificate, the keystore's
	// (the demo tells a renewed keystore's first use by it); nil if unread.
	HolderOfKey *x509.Certificate
}

// Server is an STS simulator listening on 127.0.0.1.
type Server struct {
	*STS
	// URL is the token service endpoint, .../IAM/Saml11TokenService/v1.
	URL string

	ts *httptest.Server
}

// New starts a simulator on 127.0.0.1 on a random port.
func New(o Options) (*Server, error) {
	h, err := NewSTS(o)
	if err != nil {
		return nil, err
	}
	s := &Server{STS: h}
	s.ts = httptest.NewUnstartedServer(h)
	s.ts.Config.ErrorLog = slog.NewLogLogger(h.log.Handler(), slog.LevelDebug)
	if o.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL + Path
	return s, nil
}

// Close ends pending answers and stops the server.
func (s *Server) Close() {
	s.STS.Close()
	s.ts.Close()
}

// CACertPEM is, with Options.TLS, the PEM certificate that authenticates the
// server; nil without TLS.
func (s *Server) CACertPEM() []byte {
	if s.ts.TLS == nil {
		return nil
	}
	return PEM(s.ts.Certificate())
}

// Client is an HTTP client that trusts the server (with or without TLS).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Handler serves the simulator, to mount it in another server.
func (s *Server) Handler() http.Handler { return s.STS }
