package sts

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"syscall"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/session"
	"ehealth-tray/soap"
)

// soapAction is the STS operation (ehealth-protocol.md §1).
const soapAction = "urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken"

// traceName names the trace files: DIR/sts-request.xml and DIR/sts-response.xml.
const traceName = "sts"

// DefaultRetryDelays: a session the practitioner asked for survives a short
// outage. The signed request is sent again as is, so an eID never asks its
// PIN again for a retry; a retry that the Timestamp (60 s from signing) would
// not survive is not made.
var DefaultRetryDelays = []time.Duration{2 * time.Second, 5 * time.Second}

// sendMargin is the least Timestamp life a request needs to reach the STS.
const sendMargin = 5 * time.Second

// ClientOptions configures the STS client.
type ClientOptions struct {
	// URL of the STS: https, or http on loopback only (the simulator).
	URL string
	// Timeout bounds one exchange (none when zero).
	Timeout time.Duration
	// CAFile is a PEM file of extra trusted TLS roots, on top of the system's.
	CAFile string
	// HTTPClient replaces the built-in client (and with it CAFile); for tests.
	HTTPClient *http.Client
	// Trust are the STS signing certificates (LoadTrust). When set, every
	// assertion's signature is verified against them (VerifyResponse).
	Trust []*x509.Certificate
	// Logger gets the exchange's details (never the assertion); nil = slog.Default().
	Logger *slog.Logger
	// TraceDir, when set, receives DIR/sts-request.xml and DIR/sts-response.xml,
	// the exact bytes of the last exchange (session start --trace).
	TraceDir string
	// RetryDelays are the waits before each new try when the STS is briefly
	// unavailable; nil = DefaultRetryDelays, empty = no retry.
	RetryDelays []time.Duration
	// Now is the local clock the Date header and the assertion's validity
	// are compared with; nil = time.Now.
	Now func() time.Time
}

// Client posts signed requests to the STS.
type Client struct {
	soap   *soap.Client
	trust  []*x509.Certificate
	log    *slog.Logger
	delays []time.Duration
	now    func() time.Time
}

// NewClient checks the options and sets up TLS with the system roots plus
// CAFile. Server certificates are always verified; an http:// URL is refused
// unless it is loopback.
func NewClient(o ClientOptions) (*Client, error) {
	c := &Client{trust: slices.Clone(o.Trust), log: o.Logger, delays: o.RetryDelays, now: o.Now}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.delays == nil {
		c.delays = DefaultRetryDelays
	}
	if c.now == nil {
		c.now = time.Now
	}
	var err error
	c.soap, err = soap.New(soap.Options{URL: o.URL, Timeout: o.Timeout, CAFile: o.CAFile, HTTPClient: o.HTTPClient,
		Logger: c.log, TraceDir: o.TraceDir, TraceName: traceName, Now: c.now})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RequestToken posts req and returns the STS's assertion, trying again after
// a pause when the STS is briefly unavailable. The client only runs for a
// session the practitioner asked for: nothing here starts one by itself.
//
// Errors: *STSFault, *STSStatusError, *ClockSkewError (a refusal while the
// clocks differ by more than session.MaxClockSkew), *UnavailableError (HTTP
// 5xx or SOA-02xxx), *ResponseError, *LifetimeError, *STSSignatureError and
// *TrustExpiredError (with Trust), *RequestExpiredError, the soap package's
// transport errors, or ctx's own error when ctx is canceled.
func (c *Client) RequestToken(ctx context.Context, req *SignedRequest) (*session.Assertion, error) {
	for attempt := 0; ; attempt++ {
		// A request past its Timestamp is refused by the STS as "not
		// authenticated", which would mislead; say what happened instead.
		// The Timestamp's life passes in real time, whatever Now says.
		if time.Until(req.Expires) < sendMargin {
			return nil, &RequestExpiredError{}
		}
		a, err := c.exchange(ctx, req)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err() // canceled (Ctrl+C, Stop): never tried again
		}
		if err == nil || attempt == len(c.delays) || !transient(err) {
			return a, err
		}
		c.log.Info("STS unavailable, trying again", "attempt", attempt+1, "in", c.delays[attempt], "kind", errkind.Of(err))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.delays[attempt]):
		}
	}
}

// exchange is one post of req and the reading of its answer.
func (c *Client) exchange(ctx context.Context, req *SignedRequest) (*session.Assertion, error) {
	resp, err := c.soap.Post(ctx, soapAction, req.Envelope)
	if err != nil {
		return nil, c.refusal(resp, c.mapError(err))
	}
	now := c.now()
	a, err := parseResponse(resp.Envelope, req.RequestID, c.trust, now)
	if err != nil {
		if se, ok := errors.AsType[*STSSignatureError](err); ok {
			// The user sees a plain message; the cause is for the logs.
			c.log.Warn("STS assertion signature rejected", "url", c.soap.URL(), "cause", se.Err)
		}
		return nil, c.refusal(resp, err)
	}
	if resp.SkewKnown {
		a.ClockSkew = resp.Skew
	}
	if err := checkLifetime(a, now); err != nil {
		return nil, err
	}
	if session.ClockSkewed(a.ClockSkew) {
		c.log.Warn("the computer's clock differs from eHealth's: set the time automatically", "skew", a.ClockSkew)
	}
	return a, nil
}

// mapError gives soap's service-specific errors their STS kinds.
func (c *Client) mapError(err error) error {
	if f, ok := errors.AsType[*soap.Fault](err); ok {
		fault := &STSFault{Code: f.Code, Message: f.Message}
		if fault.Unavailable() {
			return &UnavailableError{URL: c.soap.URL(), Status: f.Status, Fault: fault}
		}
		return fault
	}
	if h, ok := errors.AsType[*soap.HTTPError](err); ok {
		if h.Unavailable() {
			return &UnavailableError{URL: h.URL, Status: h.Status}
		}
		return &ResponseError{Reason: "no SOAP answer", Err: err}
	}
	if a, ok := errors.AsType[*soap.AnswerError](err); ok {
		return &ResponseError{Reason: a.Reason, Err: a.Err}
	}
	return err
}

// refusal makes a refusal by the STS (a fault other than "unavailable", or a
// non-success status) a *ClockSkewError when the clocks differ by more than
// session.MaxClockSkew: the Timestamp lives 60 s, so a clock minutes off is a
// common cause of SOA-01001.
func (c *Client) refusal(resp *soap.Response, err error) error {
	if resp == nil || !resp.SkewKnown || !session.ClockSkewed(resp.Skew) {
		return err
	}
	_, status := errors.AsType[*STSStatusError](err)
	_, fault := errors.AsType[*STSFault](err)
	_, unavailable := errors.AsType[*UnavailableError](err)
	if (status || fault) && !unavailable {
		return &ClockSkewError{Skew: resp.Skew, Err: err}
	}
	return err
}

// transient tells the outages worth another try: the service says it is
// (temporarily) unavailable, a 5xx answer, a refused or reset connection. A
// timeout already waited long; TLS, size, signature and content errors will
// not change by themselves.
func transient(err error) bool {
	if _, ok := errors.AsType[*UnavailableError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*soap.NetworkError](err); ok {
		return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
	}
	return false
}
