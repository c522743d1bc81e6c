package soap

import (
	"fmt"
	"net/http"
	"net/url"

	"ehealth-tray/i18n"
)

// Reasons of a TLSError.
const (
	TLSUnknownAuthority = "unknown-authority"
	TLSExpired          = "expired"
	TLSWrongHost        = "wrong-host"
	TLSInvalid          = "invalid"
)

// NetworkError is a failed exchange without an answer: connection refused or
// reset, DNS failure.
type NetworkError struct {
	URL string
	Err error
}

func (e *NetworkError) Error() string { return fmt.Sprintf("%s: %v", e.URL, e.Err) }

func (e *NetworkError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *NetworkError) Kind() string { return "network" }

// TimeoutError is an exchange that ran out of time.
type TimeoutError struct {
	URL string
	Err error
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("%s: no answer in time: %v", e.URL, e.Err) }

func (e *TimeoutError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *TimeoutError) Kind() string { return "timeout" }

// TLSError is a server certificate that is not trusted: signed by an unknown
// authority (often a TLS-inspecting proxy or antivirus), expired, or for
// another host. Reason is one of the TLS… constants.
type TLSError struct {
	URL    string
	Reason string
	Err    error
}

func (e *TLSError) Error() string {
	return fmt.Sprintf("%s: server certificate not trusted (%s): %v", e.URL, e.Reason, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *TLSError) Kind() string { return "tls-untrusted" }

// Localize names the usual cause and its fix (issue 10 §3).
func (e *TLSError) Localize(l *i18n.Localizer) string {
	return l.T("error.tls-untrusted", map[string]any{"Host": host(e.URL), "Detail": l.T(tlsReasons[e.Reason])})
}

// tlsReasons word each Reason.
var tlsReasons = map[string]string{
	TLSUnknownAuthority: "tls.unknown-authority",
	TLSExpired:          "tls.expired",
	TLSWrongHost:        "tls.wrong-host",
	TLSInvalid:          "tls.invalid",
}

// TooLargeError is an answer over MaxAnswer. It is not retried.
type TooLargeError struct {
	URL   string
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: the answer was too large (over %d bytes)", e.URL, e.Limit)
}

// Kind is the error kind shown by the CLI.
func (e *TooLargeError) Kind() string { return "too-large" }

// Localize says so, never "check the internet connection".
func (e *TooLargeError) Localize(l *i18n.Localizer) string {
	return l.T("error.answer-too-large", map[string]any{"Host": host(e.URL)})
}

// RedirectError is a 3xx answer: never followed, since it would post the
// signed request elsewhere.
type RedirectError struct {
	URL      string
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: refused redirect (HTTP %d) to %q", e.URL, e.Status, e.Location)
}

// Kind is the error kind shown by the CLI.
func (e *RedirectError) Kind() string { return "redirect" }

// Localize names the target.
func (e *RedirectError) Localize(l *i18n.Localizer) string {
	return l.T("error.redirect", map[string]any{"Host": host(e.URL), "Location": e.Location})
}

// ConfigError is a client option that cannot be used.
type ConfigError struct {
	Reason string
	Err    error
}

func (e *ConfigError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("service client: %s: %v", e.Reason, e.Err)
	}
	return "service client: " + e.Reason
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *ConfigError) Kind() string { return "config" }

// HTTPError is a non-2xx answer that is not a SOAP fault. It has no kind:
// the service maps it (Unavailable: HTTP 5xx).
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Unavailable reports a server-side status (5xx).
func (e *HTTPError) Unavailable() bool { return e.Status >= 500 }

// AnswerError is an answer that is not a usable SOAP envelope: not XML, a
// DOCTYPE, not a SOAP 1.1 Envelope with a Body. The service maps it.
type AnswerError struct {
	Reason string
	Err    error
}

func (e *AnswerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("bad answer: %s: %v", e.Reason, e.Err)
	}
	return "bad answer: " + e.Reason
}

func (e *AnswerError) Unwrap() error { return e.Err }

// host is the host of a service URL, for messages.
func host(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
