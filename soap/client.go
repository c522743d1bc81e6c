// Package soap is the one SOAP 1.1 and WS-Security layer of the eHealth
// services (the STS, the ETK depot, later the eHealthBox).
//
// A Client posts to one service URL:
//
//	c, err := soap.New(soap.Options{URL: url, Timeout: 30 * time.Second, CAFile: caFile, TraceDir: dir, TraceName: "etk"})
//	resp, err := c.Call(ctx, "urn:be:fgov:ehealth:etkdepot:protocol:v1:GetEtk", requestElement) // unsigned
//	resp, err := c.Post(ctx, action, envelopeBytes)                                                  // built and signed by the caller
//	payload, err := resp.Payload() // the first element of soap:Body
//
// What every call gets, whatever the service:
//   - TLS with the system roots plus Options.CAFile, never skipped; an http://
//     URL is refused unless it is loopback (the simulators);
//   - no redirect is ever followed: a 3xx is a *RedirectError naming the target;
//   - answers are capped at MaxAnswer (1 MiB, *TooLargeError, never retried)
//     and a DOCTYPE is refused (*AnswerError);
//   - a SOAP Fault in the answer, whatever the HTTP status, is a *Fault with
//     eHealth's SOA code; any other non-2xx status is an *HTTPError;
//   - the HTTP Date header is compared with the local clock on every answer
//     (Response.Skew, also on errors: Post returns the Response whenever the
//     server answered);
//   - with Options.TraceDir, the exact bytes sent and received are written to
//     TraceDir/<TraceName>-request.xml and TraceDir/<TraceName>-response.xml.
//
// Errors with a CLI kind of their own: *NetworkError ("network"),
// *TimeoutError ("timeout"), *TLSError ("tls-untrusted"), *TooLargeError
// ("too-large"), *RedirectError ("redirect"), *ConfigError ("config"). The
// service-specific ones, *Fault, *HTTPError and *AnswerError, carry no kind:
// each service maps them to its own (the STS to sts-fault, sts-unavailable,
// sts-response; the ETK depot to etk-unavailable …). Their Unavailable method
// says whether the service said it is (temporarily) down: HTTP 5xx or SOA-02xxx.
//
// Envelopes are built with NewEnvelope and signed with WS-Security by an X.509
// BinarySecurityToken (Envelope.SignX509, the STS request) or by the session's
// SAML holder-of-key assertion (Envelope.SignSAML, the services called with a
// session). Sign makes any other XML-DSig signature (the STS inner signature).
package soap

import (
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
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/safefile"
)

// MaxAnswer caps an answer: a real one is a few KiB.
const MaxAnswer = 1 << 20

// Options configures a Client.
type Options struct {
	// URL of the service: https, or http on loopback only.
	URL string
	// Timeout bounds one whole exchange (none when zero).
	Timeout time.Duration
	// CAFile is a PEM file of extra trusted roots, on top of the system's
	// (the config's [sts] ca_file: a TLS-inspecting proxy's root).
	CAFile string
	// HTTPClient replaces the built-in one (and with it CAFile), for tests.
	// Its redirects are refused all the same.
	HTTPClient *http.Client
	// Logger gets the exchange's details, never its content; nil = slog.Default().
	Logger *slog.Logger
	// TraceDir, when set, receives the exact bytes of each exchange (see TraceName).
	TraceDir string
	// TraceName names the trace files TraceDir/<TraceName>-request.xml and
	// -response.xml ("sts" for the STS); required with TraceDir.
	TraceName string
	// Now is the local clock the Date header is compared with; nil = time.Now.
	Now func() time.Time
}

// Client posts SOAP 1.1 requests to one service. It is safe for concurrent use
// (but concurrent calls overwrite each other's trace files).
type Client struct {
	url       string
	timeout   time.Duration
	http      *http.Client
	log       *slog.Logger
	traceDir  string
	traceName string
	now       func() time.Time
}

// Response is a service's answer.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Envelope is the answer's bytes exactly as received.
	Envelope []byte
	// Skew is the server's Date minus the local clock at reception: positive
	// when the local clock is behind. SkewKnown is false when the Date header
	// is missing or malformed; the check is then skipped.
	Skew      time.Duration
	SkewKnown bool
}

// New checks the options and sets up TLS with the system roots plus CAFile.
// Server certificates are always verified.
func New(o Options) (*Client, error) {
	if err := checkURL(o.URL); err != nil {
		return nil, err
	}
	if o.TraceDir != "" && o.TraceName == "" {
		return nil, &ConfigError{Reason: "trace folder without a trace name"}
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		roots, err := rootPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		hc.Transport = tr
	}
	// The signed request must never be re-posted elsewhere (issue 14 §4).
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{url: o.URL, timeout: o.Timeout, http: &hc, log: o.Logger,
		traceDir: o.TraceDir, traceName: o.TraceName, now: o.Now}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.traceDir != "" {
		c.traceDir = filepath.Clean(c.traceDir) // "link/" would follow the link
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// URL is the service URL the client posts to.
func (c *Client) URL() string { return c.url }

// checkURL allows https, and http only to a loopback host.
func checkURL(raw string) error {
	if raw == "" {
		return &ConfigError{Reason: "no service URL"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &ConfigError{Reason: fmt.Sprintf("%q is not a URL", raw), Err: err}
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
		return nil
	}
	return &ConfigError{Reason: fmt.Sprintf("%s is not an https:// URL (plain http is allowed on this computer only)", raw)}
}

// IsLoopback reports whether host names this computer: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxCAFile caps the CA file: a PEM bundle of a few roots.
const maxCAFile = 1 << 20

func rootPool(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		// No system store (some minimal systems): CAFile alone must do.
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, err := safefile.ReadTarget(caFile, maxCAFile) // often a link into /usr/share/ca-certificates
	if err != nil {
		return nil, &ConfigError{Reason: "reading the CA file", Err: err}
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ConfigError{Reason: fmt.Sprintf("no PEM certificate in CA file %s", caFile)}
	}
	return pool, nil
}

// Call wraps payload in an unsigned envelope (NewEnvelope) and posts it.
func (c *Client) Call(ctx context.Context, action string, payload *etree.Element) (*Response, error) {
	env := NewEnvelope()
	env.Body().AddChild(payload)
	out, err := env.Bytes()
	if err != nil {
		return nil, err
	}
	return c.Post(ctx, action, out)
}

// Post sends envelope, as is, with the SOAPAction action. The Response is
// returned whenever the server answered, even with an error, so that its
// Skew can be read; the error is then a *Fault, *HTTPError, *AnswerError,
// *TooLargeError or *RedirectError. Without an answer: *NetworkError,
// *TLSError, *TimeoutError, or ctx's own error when ctx is canceled.
func (c *Client) Post(ctx context.Context, action string, envelope []byte) (*Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(envelope))
	if err != nil {
		return nil, &ConfigError{Reason: "bad service URL", Err: err}
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("SOAPAction", `"`+action+`"`)
	c.clearTrace("response")
	c.trace("request", envelope)

	start := time.Now()
	hresp, err := c.http.Do(hr)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	defer hresp.Body.Close()
	resp := &Response{Status: hresp.StatusCode}
	resp.Skew, resp.SkewKnown = skew(hresp.Header.Get("Date"), c.now())
	body, err := io.ReadAll(io.LimitReader(hresp.Body, MaxAnswer+1))
	resp.Envelope = body
	c.trace("response", body)
	if err != nil {
		return resp, c.transportError(ctx, err)
	}
	c.log.Debug("service answered", "url", c.url, "status", hresp.StatusCode, "bytes", len(body),
		"elapsed", time.Since(start), "skew", resp.Skew, "skew_known", resp.SkewKnown)
	if len(body) > MaxAnswer {
		return resp, &TooLargeError{URL: c.url, Limit: MaxAnswer}
	}
	if hresp.StatusCode/100 == 3 {
		return resp, &RedirectError{URL: c.url, Status: hresp.StatusCode, Location: hresp.Header.Get("Location")}
	}
	fault, err := inspect(body)
	switch {
	case fault != nil:
		fault.Status = hresp.StatusCode
		return resp, fault
	case hresp.StatusCode/100 != 2:
		return resp, &HTTPError{URL: c.url, Status: hresp.StatusCode}
	case err != nil:
		return resp, err
	}
	return resp, nil
}

// skew is date (an HTTP Date header) minus now, rounded to the second the
// header has; ok is false when date is missing or malformed.
func skew(date string, now time.Time) (d time.Duration, ok bool) {
	if date == "" {
		return 0, false
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return 0, false
	}
	return t.Sub(now).Round(time.Second), true
}

// transportError classifies a failure to get an answer at all.
func (c *Client) transportError(ctx context.Context, err error) error {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()):
		return &TimeoutError{URL: c.url, Err: err}
	case errors.Is(ctx.Err(), context.Canceled):
		return ctx.Err()
	}
	if reason := tlsReason(err); reason != "" {
		return &TLSError{URL: c.url, Reason: reason, Err: err}
	}
	return &NetworkError{URL: c.url, Err: err}
}

// tlsReason names why the server's certificate was refused, "" when err is
// not about it.
func tlsReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		return TLSUnknownAuthority
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return TLSExpired
	case errors.As(err, &host):
		return TLSWrongHost
	case errors.As(err, &invalid), errors.As(err, &verify):
		return TLSInvalid
	}
	return ""
}

// Payload parses the answer and returns the first element of its soap:Body
// (an *AnswerError when there is none). Post already refused a DOCTYPE.
func (r *Response) Payload() (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(r.Envelope); err != nil {
		return nil, &AnswerError{Reason: "malformed XML", Err: err}
	}
	root := doc.Root()
	if root == nil || root.Tag != nameEnvelope.Local || root.NamespaceURI() != NSEnvelope {
		return nil, &AnswerError{Reason: "not a SOAP 1.1 Envelope"}
	}
	for _, body := range root.ChildElements() {
		if body.Tag == nameBody.Local && body.NamespaceURI() == NSEnvelope {
			if c := body.ChildElements(); len(c) > 0 {
				return c[0], nil
			}
		}
	}
	return nil, &AnswerError{Reason: "empty SOAP Body"}
}
