package sts

import (
	"ehealth-tray/session"

	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"
)

// soapAction is the STS operation (ehealth-protocol.md §1).
const soapAction = "urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken"

// maxResponse caps the STS answer (parseResponse refuses more); a real one
// is a few KiB.
const maxResponse = 1 << 20

// ClientOptions configures the STS client.
type ClientOptions struct {
	URL string
	// Timeout bounds one whole exchange (none when zero).
	Timeout time.Duration
	// CAFile is a PEM file of extra trusted roots, on top of the system's.
	CAFile string
	// HTTPClient replaces the built-in client (and with it CAFile); for tests.
	HTTPClient *http.Client
	// Trust are the STS signing certificates (LoadTrust). When set, every
	// assertion's signature is verified against them (VerifyResponse).
	Trust []*x509.Certificate
	// Logger gets the exchange's details (never the assertion); nil = slog.Default().
	Logger *slog.Logger
}

// Client posts signed requests to the STS.
type Client struct {
	url     string
	timeout time.Duration
	http    *http.Client
	trust   []*x509.Certificate
	log     *slog.Logger
}

// NewClient checks the options and sets up TLS with the system roots plus
// CAFile. Server certificates are always verified.
func NewClient(o ClientOptions) (*Client, error) {
	if o.URL == "" {
		return nil, &ClientConfigError{Reason: "no STS URL"}
	}
	hc := o.HTTPClient
	if hc == nil {
		roots, err := rootPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		hc = &http.Client{Transport: tr}
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Client{url: o.URL, timeout: o.Timeout, http: hc, trust: slices.Clone(o.Trust), log: log}, nil
}

func rootPool(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// No system store (some minimal systems): CAFile alone must do.
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &ClientConfigError{Reason: "reading the CA file", Err: err}
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ClientConfigError{Reason: fmt.Sprintf("no PEM certificate in CA file %s", caFile)}
	}
	return pool, nil
}

// RequestToken posts req and returns the STS's assertion. Errors: *STSFault,
// *STSStatusError, *ResponseError, *STSSignatureError (with Trust),
// *NetworkError, *TimeoutError, or ctx's own error when ctx is canceled.
func (c *Client) RequestToken(ctx context.Context, req *SignedRequest) (*session.Assertion, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(req.Envelope))
	if err != nil {
		return nil, &ClientConfigError{Reason: "bad STS URL", Err: err}
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("SOAPAction", soapAction)

	start := time.Now()
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, c.transportError(ctx, 0, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, c.transportError(ctx, resp.StatusCode, err)
	}
	c.log.Debug("STS answered", "url", c.url, "status", resp.StatusCode, "bytes", len(body), "elapsed", time.Since(start))

	a, err := parseResponse(body, req.RequestID, c.trust)
	if resp.StatusCode/100 == 2 {
		if se, ok := errors.AsType[*STSSignatureError](err); ok {
			// The user sees a plain message; the cause is for the logs.
			c.log.Warn("STS assertion signature rejected", "url", c.url, "cause", se.Err)
		}
		return a, err
	}
	// SOAP 1.1 faults come with HTTP 500: a parsed fault says more than
	// the status line does.
	var fault *STSFault
	if errors.As(err, &fault) {
		return nil, fault
	}
	var status *STSStatusError
	if errors.As(err, &status) {
		return nil, status
	}
	return nil, &NetworkError{URL: c.url, Status: resp.StatusCode}
}

// transportError classifies a failure to get an answer at all.
func (c *Client) transportError(ctx context.Context, status int, err error) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		return &TimeoutError{URL: c.url, Err: err}
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return &NetworkError{URL: c.url, Status: status, Err: err}
}

// NetworkError is a failed exchange with the STS: no connection, a TLS
// failure, or an HTTP error status without a SOAP fault.
type NetworkError struct {
	URL string
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	Err    error
}

func (e *NetworkError) Error() string {
	switch {
	case e.Status == http.StatusServiceUnavailable:
		return fmt.Sprintf("STS %s: service unavailable (HTTP 503)", e.URL)
	case e.Status != 0 && e.Err == nil:
		return fmt.Sprintf("STS %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	case e.Status != 0:
		return fmt.Sprintf("STS %s: HTTP %d: %v", e.URL, e.Status, e.Err)
	}
	return fmt.Sprintf("STS %s: %v", e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *NetworkError) Kind() string { return "network" }

// TimeoutError is an STS exchange that ran out of time.
type TimeoutError struct {
	URL string
	Err error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("STS %s: no answer in time: %v", e.URL, e.Err)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *TimeoutError) Kind() string { return "timeout" }

// ClientConfigError is an STS client option that cannot be used.
type ClientConfigError struct {
	Reason string
	Err    error
}

func (e *ClientConfigError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("STS client: %s: %v", e.Reason, e.Err)
	}
	return "STS client: " + e.Reason
}

func (e *ClientConfigError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *ClientConfigError) Kind() string { return "config" }
