// Package ststest runs a simulator of the eHealth SAML 1.1 STS on loopback,
// in the manner of net/http/httptest, for tests and for the app's demo mode.
//
// The simulator verifies requests the way the real STS does, with its own
// code (it shares nothing with package session, so it cannot share its bugs):
// the WS-Security signature over Body, Timestamp and BinarySecurityToken, the
// freshness of the Timestamp (Created within 5 minutes of the server clock,
// Expires not passed), the enveloped signature on samlp:Request by the
// holder-of-key (HOK) key, the HOK certificate, its chain, the NameIdentifier
// and the asserted SSIN. A valid request gets an STS-signed assertion; a bad
// one gets the SOAP fault of the eHealth ESB:
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
// SOA-02xxx are server faults (faultcode soapenv:Server, Origin Server). The
// precise reason, which the real STS keeps to itself, is in Requests().
//
// Whether the real STS compares the NameIdentifier strictly is open
// (ehealth-protocol.md §3); Options.DisableStrictNameID switches to a
// comparison of the DN's attributes whatever their order and spelling.
package ststest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	dsig "github.com/russellhaering/goxmldsig"
)

// Fault makes the simulator misbehave, for the requests after SetFault.
type Fault string

const (
	FaultNone Fault = ""
	// FaultSOA answers a SOAP fault with the code given to SetFault (default
	// SOA-02001) and its message.
	FaultSOA Fault = "soa"
	// FaultStatus answers a samlp:Response whose StatusCode is the code given
	// to SetFault (default samlp:Requester), with a StatusMessage.
	FaultStatus Fault = "status"
	// FaultHTTP500 and FaultHTTP503 answer a non-SOAP HTML error page.
	FaultHTTP500 Fault = "http500"
	FaultHTTP503 Fault = "http503"
	// FaultSlow waits Options.Delay (or until the client gives up), then
	// answers normally.
	FaultSlow Fault = "slow"
	// FaultMalformed answers the first half of the normal answer: not XML.
	FaultMalformed Fault = "malformed"
	// FaultWrongInResponseTo answers a success for another RequestID.
	FaultWrongInResponseTo Fault = "wrong-inresponseto"
	// FaultExpired answers an assertion whose NotOnOrAfter has passed.
	FaultExpired Fault = "expired"
	// FaultTruncated announces the whole answer in Content-Length, sends half
	// of it and closes the connection.
	FaultTruncated Fault = "truncated"
)

// Options configure a simulator. The zero value is usable.
type Options struct {
	// Validity of the answered assertions; default 24h.
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
	// Delay of FaultSlow.
	Delay time.Duration
	// Now is the server clock; default time.Now.
	Now func() time.Time
	// ExternalVerifier, if set, also checks each envelope that passed the
	// simulator's own checks, e.g. XMLSecVerifier.
	ExternalVerifier func(envelope []byte) error
	// TLS serves HTTPS with httptest's certificate; Client and CACertPEM trust it.
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
}

// Server is a running STS simulator.
type Server struct {
	// URL is the token service endpoint, .../IAM/Saml11TokenService/v1.
	URL string

	ts      *httptest.Server
	opts    Options
	roots   *x509.CertPool
	stsCert *x509.Certificate
	signer  *dsig.SigningContext
	log     *slog.Logger
	// stop ends slow answers on Close, which would otherwise wait for them.
	stop context.CancelFunc

	mu           sync.Mutex
	fault        Fault
	faultCode    string
	faultMessage string
	validity     time.Duration
	received     []Received
}

const (
	stsPath         = "/IAM/Saml11TokenService/v1"
	soapAction      = "urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken"
	contentTypeXML  = "text/xml; charset=utf-8"
	maxRequestBytes = 1 << 20
	defaultValidity = 24 * time.Hour
)

// New starts a simulator on 127.0.0.1 on a random port.
func New(o Options) (*Server, error) {
	if o.Validity <= 0 {
		o.Validity = defaultValidity
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.StrictNameID = !o.DisableStrictNameID
	s := &Server{opts: o, log: o.Logger, validity: o.Validity}
	if len(o.TrustedCAs) > 0 {
		s.roots = x509.NewCertPool()
		for _, c := range o.TrustedCAs {
			s.roots.AddCert(c)
		}
	}
	if err := s.makeSTSCredential(); err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.ts = httptest.NewUnstartedServer(s.Handler())
	s.ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	s.ts.Config.ErrorLog = slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug)
	if o.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL + stsPath
	return s, nil
}

// makeSTSCredential creates the self-signed RSA key the assertions are signed with.
func (s *Server) makeSTSCredential() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("sts simulator key: %w", err)
	}
	now := s.opts.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject: pkix.Name{
			Country:      []string{"BE"},
			Organization: []string{"eHealth-platform Belgium"},
			CommonName:   "STS simulator",
		},
		NotBefore:   now.AddDate(-1, 0, 0), // clients may run on another clock than Options.Now
		NotAfter:    now.AddDate(10, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("sts simulator certificate: %w", err)
	}
	if s.stsCert, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	if s.signer, err = dsig.NewSigningContext(key, [][]byte{der}); err != nil {
		return err
	}
	s.signer.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	s.signer.IdAttribute = "AssertionID"
	return nil
}

// Close ends pending answers and stops the server.
func (s *Server) Close() {
	s.stop()
	s.ts.Close()
}

// SetFault makes the following requests fail with f; FaultNone restores
// normal answers. code and message refine FaultSOA and FaultStatus; empty
// means the default. Requests are verified and recorded in Requests() all
// the same; FaultWrongInResponseTo and FaultExpired only alter successes,
// the other faults replace whatever the answer would have been.
func (s *Server) SetFault(f Fault, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.faultCode, s.faultMessage = f, code, message
}

// SetValidity changes the validity of the next assertions.
func (s *Server) SetValidity(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validity = d
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// STSCert is the certificate the assertions are signed with.
func (s *Server) STSCert() *x509.Certificate { return s.stsCert }

// CACertPEM is, with Options.TLS, the PEM certificate that authenticates the
// server; nil without TLS.
func (s *Server) CACertPEM() []byte {
	if s.ts.TLS == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
}

// Client is an HTTP client that trusts the server (with or without TLS).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Handler serves the simulator, to mount it in another server.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// state is the fault configuration one request is answered with.
type state struct {
	fault         Fault
	code, message string
	validity      time.Duration
}

func (s *Server) current() state {
	s.mu.Lock()
	defer s.mu.Unlock()
	return state{s.fault, s.faultCode, s.faultMessage, s.validity}
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	now := s.opts.Now()
	st := s.current()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		s.log.Info("sts simulator: reading request", "err", err)
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		}
		return
	}
	req, verr := s.check(r, body, now)
	s.record(Received{Envelope: body, Err: verr, At: now})
	if verr != nil {
		s.log.Info("sts simulator rejected a request", "err", verr)
	}

	if st.fault == FaultSlow {
		t := time.NewTimer(s.opts.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			dropConnection(w)
			return
		}
	}
	switch st.fault {
	case FaultHTTP500:
		writeHTML(w, http.StatusInternalServerError)
		return
	case FaultHTTP503:
		w.Header().Set("Retry-After", "120")
		writeHTML(w, http.StatusServiceUnavailable)
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

// check runs the transport checks, the STS checks and ExternalVerifier.
func (s *Server) check(r *http.Request, body []byte, now time.Time) (*request, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/xml" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, reject(CheckTransport, CodeNotSOAP, fmt.Sprintf("Content-Type %q, want %s", r.Header.Get("Content-Type"), contentTypeXML), nil)
	}
	if a := strings.Trim(r.Header.Get("SOAPAction"), `"`); a != soapAction {
		return nil, reject(CheckTransport, CodeWSDL, fmt.Sprintf("SOAPAction %q, want %s", a, soapAction), nil)
	}
	v := verifier{now: now, roots: s.roots, strictNameID: s.opts.StrictNameID}
	req, err := v.verify(body)
	if err != nil || s.opts.ExternalVerifier == nil {
		return req, err
	}
	if err := s.opts.ExternalVerifier(body); err != nil {
		return req, unauthenticated(CheckExternal, "external verifier", err)
	}
	return req, nil
}

// answer builds the SOAP answer: the fault for a rejected request, else a
// success, unless st asks for a SOAP fault or a status.
func (s *Server) answer(req *request, verr error, now time.Time, st state) (int, []byte, error) {
	id := ""
	if req != nil {
		id = req.id
	}
	switch {
	case st.fault == FaultSOA:
		code := st.code
		if code == "" {
			code = CodeUnavailable
		}
		b, err := faultEnvelope(code, st.message)
		return http.StatusInternalServerError, b, err
	case st.fault == FaultStatus:
		b, err := statusEnvelope(id, now, st.code, st.message)
		return http.StatusOK, b, err
	case verr != nil:
		var re *RequestError
		if !errors.As(verr, &re) {
			return 0, nil, verr
		}
		b, err := faultEnvelope(re.Code, "")
		return http.StatusInternalServerError, b, err
	}
	w := assertionWindow{notBefore: now, notOnOrAfter: now.Add(st.validity)}
	if st.fault == FaultExpired {
		w = assertionWindow{notBefore: now.Add(-st.validity - time.Minute), notOnOrAfter: now.Add(-time.Minute)}
	}
	if st.fault == FaultWrongInResponseTo {
		id = newID()
	}
	b, err := s.successEnvelope(req, id, now, w)
	return http.StatusOK, b, err
}

// writeHTML answers a plain error page, as a load balancer in front of the
// STS would.
func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	text := http.StatusText(status)
	_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, text, text)
}
