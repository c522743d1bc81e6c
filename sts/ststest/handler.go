package ststest

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Path is where the token service answers, as on the real platform.
const Path = "/IAM/Saml11TokenService/v1"

const (
	soapAction = "urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken"
	// soapActionTC is what the Technical Connector sends; production takes
	// both (ehealth-protocol.md §1).
	soapActionTC    = "urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken"
	contentTypeXML  = "text/xml; charset=utf-8"
	maxRequestBytes = 1 << 20
	defaultValidity = 24 * time.Hour
)

// DateMode chooses the HTTP Date header of the answers.
type DateMode int

const (
	// DateNormal sends the simulator's clock plus the offset.
	DateNormal DateMode = iota
	// DateMissing sends no Date header.
	DateMissing
	// DateMalformed sends a Date header no HTTP date parser reads.
	DateMalformed
)

// malformedDate is the Date header of DateMalformed.
const malformedDate = "Thu, 31 Foo 2026 25:61:00 CEST"

// STS is the simulator as an http.Handler, without a listener: mount it at
// Path in a server that hosts other services too. New wraps one in a
// loopback server.
type STS struct {
	opts  Options
	roots *x509.CertPool
	log   *slog.Logger
	// stop ends slow answers on Close, which would otherwise wait for them.
	stop     chan struct{}
	stopOnce sync.Once

	mu           sync.Mutex
	fault        Fault
	faultCode    string
	faultMessage string
	validity     time.Duration
	dateMode     DateMode
	dateOffset   time.Duration
	cred         *Credential
	received     []Received
	arrived      chan struct{} // closed and replaced at each request received
}

// NewSTS makes a simulator handler. Call Close when done if a FaultSlow
// answer may still be pending.
func NewSTS(o Options) (*STS, error) {
	if o.Validity <= 0 {
		o.Validity = defaultValidity
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.AnswerSignature == "" {
		o.AnswerSignature = SignatureRSASHA1
	}
	if _, ok := answerAlgorithms[o.AnswerSignature]; !ok {
		return nil, fmt.Errorf("sts simulator: unknown answer signature %q", o.AnswerSignature)
	}
	o.StrictNameID = !o.DisableStrictNameID
	s := &STS{
		opts: o, log: o.Logger, stop: make(chan struct{}), arrived: make(chan struct{}),
		validity: o.Validity, dateMode: o.Date, dateOffset: o.DateOffset, cred: o.STS,
	}
	if len(o.TrustedCAs) > 0 {
		s.roots = x509.NewCertPool()
		for _, c := range o.TrustedCAs {
			s.roots.AddCert(c)
		}
	}
	if s.cred == nil {
		now := o.Now()
		// Clients may run on another clock than Options.Now.
		c, err := NewCredential("STS simulator", now.AddDate(-1, 0, 0), now.AddDate(10, 0, 0))
		if err != nil {
			return nil, err
		}
		s.cred = c
	}
	if err := s.cred.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close ends pending slow answers by dropping their connections.
func (s *STS) Close() { s.stopOnce.Do(func() { close(s.stop) }) }

// SetFault makes the following requests fail with f; FaultNone restores
// normal answers. code and message refine some faults (see each Fault);
// empty means the default. Requests are verified and recorded in Requests()
// all the same.
func (s *STS) SetFault(f Fault, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.faultCode, s.faultMessage = f, code, message
}

// SetValidity changes the validity of the next assertions.
func (s *STS) SetValidity(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validity = d
}

// SetDate changes the HTTP Date header of the next answers: with
// DateNormal, the server clock plus offset (a positive offset plays a PC
// clock that is behind eHealth's).
func (s *STS) SetDate(mode DateMode, offset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dateMode, s.dateOffset = mode, offset
}

// SetSTSCredential makes the next assertions signed by c (a trust
// rollover). A credential without a key or whose certificate is not for its
// key is refused.
func (s *STS) SetSTSCredential(c *Credential) error {
	if err := c.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cred = c
	return nil
}

// Requests returns the requests received so far, oldest first.
func (s *STS) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// WaitRequests waits until n requests have been received, and returns them
// like Requests: the way a test knows that a request reached the server.
func (s *STS) WaitRequests(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if len(s.received) >= n {
			r := append([]Received(nil), s.received...)
			s.mu.Unlock()
			return r, nil
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// STSCert is the certificate the assertions are signed with now.
func (s *STS) STSCert() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cred.Cert
}

// STSCertPEM is STSCert as PEM, the content of an `[sts] trust` file.
func (s *STS) STSCertPEM() []byte { return PEM(s.STSCert()) }

// state is the configuration one request is answered with.
type state struct {
	fault         Fault
	code, message string
	validity      time.Duration
	dateMode      DateMode
	dateOffset    time.Duration
	cred          *Credential
}

func (s *STS) current() state {
	s.mu.Lock()
	defer s.mu.Unlock()
	return state{s.fault, s.faultCode, s.faultMessage, s.validity, s.dateMode, s.dateOffset, s.cred}
}

func (s *STS) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// setDate writes the Date header; net/http leaves a handler's own alone
// and omits a nil one.
func setDate(h http.Header, st state, now time.Time) {
	switch st.dateMode {
	case DateMissing:
		h["Date"] = nil
	case DateMalformed:
		h.Set("Date", malformedDate)
	default:
		h.Set("Date", now.Add(st.dateOffset).UTC().Format(http.TimeFormat))
	}
}

// ServeHTTP answers one STS request.
func (s *STS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Now()
	st := s.current()
	setDate(w.Header(), st, now)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		s.log.Info("sts simulator: reading request", "err", err)
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		}
		return
	}
	req, verr := s.check(r, body, now)
	rec := Received{Envelope: body, Err: verr, At: now}
	if req != nil {
		rec.Quality, rec.HolderOfKey = req.quality, req.hok
	}
	s.record(rec)
	if verr != nil {
		s.log.Info("sts simulator rejected a request", "err", verr)
	}
	s.respond(w, r, req, verr, now, st)
}

// check runs the transport checks, the STS checks and ExternalVerifier.
func (s *STS) check(r *http.Request, body []byte, now time.Time) (*request, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/xml" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, reject(CheckTransport, CodeNotSOAP, fmt.Sprintf("Content-Type %q, want %s", r.Header.Get("Content-Type"), contentTypeXML), nil)
	}
	if a := strings.Trim(r.Header.Get("SOAPAction"), `"`); a != soapAction && a != soapActionTC {
		return nil, reject(CheckTransport, CodeWSDL, fmt.Sprintf("SOAPAction %q, want %s", a, soapAction), nil)
	}
	v := verifier{now: now, roots: s.roots, strictNameID: s.opts.StrictNameID, lenientDesignators: s.opts.LenientDesignators}
	req, err := v.verify(body)
	if err != nil || s.opts.ExternalVerifier == nil {
		return req, err
	}
	if err := s.opts.ExternalVerifier(body); err != nil {
		return req, unauthenticated(CheckExternal, "external verifier", err)
	}
	return req, nil
}
