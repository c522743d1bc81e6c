package sts

import (
	"fmt"
	"time"

	"ehealth-tray/i18n"
	"ehealth-tray/session"
)

// UnavailableError is eHealth saying the STS is (temporarily) unavailable:
// an HTTP 5xx answer without a SOAP fault, or a SOA-02xxx fault (Fault).
type UnavailableError struct {
	URL    string
	Status int
	// Fault is the SOA-02xxx fault, with eHealth's code; nil for a bare 5xx.
	Fault *STSFault
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("STS %s: temporarily unavailable (%s)", e.URL, e.detail())
}

// Unwrap gives the fault, so that its code can be read.
func (e *UnavailableError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// Kind is the error kind shown by the CLI.
func (e *UnavailableError) Kind() string { return "sts-unavailable" }

// Localize says to try later, not to check the internet connection.
func (e *UnavailableError) Localize(l *i18n.Localizer) string {
	return l.T("error.sts-unavailable", map[string]any{"Detail": e.detail()})
}

// detail is eHealth's code and message, or the HTTP status.
func (e *UnavailableError) detail() string {
	if e.Fault != nil {
		return e.Fault.Code + " " + e.Fault.Message
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// ClockSkewError is a refusal by the STS (Err, an *STSFault or
// *STSStatusError, which keeps eHealth's code) while the computer's clock
// differs from eHealth's by more than session.MaxClockSkew.
type ClockSkewError struct {
	// Skew is eHealth's clock minus the computer's: positive when the
	// computer is behind.
	Skew time.Duration
	Err  error
}

func (e *ClockSkewError) Error() string {
	return fmt.Sprintf("%v (the computer's clock is off by %v from eHealth's)", e.Err, -e.Skew)
}

func (e *ClockSkewError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *ClockSkewError) Kind() string { return "clock-skew" }

// Localize names the difference and the fix.
func (e *ClockSkewError) Localize(l *i18n.Localizer) string {
	return l.T("error.clock-skew", map[string]any{"Difference": skewDifference(l, e.Skew)})
}

// SkewWarning is what to tell the practitioner, once, when the STS accepted
// a session while the clocks differ by more than session.MaxClockSkew
// (session.ClockSkewed(Assertion.ClockSkew)).
func SkewWarning(l *i18n.Localizer, skew time.Duration) string {
	return l.T("skew.warning", map[string]any{"Difference": skewDifference(l, skew)})
}

// skewDifference says "your computer's clock is N minutes behind/ahead of eHealth's".
func skewDifference(l *i18n.Localizer, skew time.Duration) string {
	minutes := int((skew.Abs() + time.Minute/2) / time.Minute)
	if skew > 0 {
		return l.T("skew.behind", map[string]any{"Minutes": minutes})
	}
	return l.T("skew.ahead", map[string]any{"Minutes": minutes})
}

// RequestExpiredError is a request whose WS-Security Timestamp ended (or
// nearly) before it could be sent: the STS would refuse it as "not
// authenticated".
type RequestExpiredError struct{}

func (e *RequestExpiredError) Error() string {
	return "the signed STS request expired before it could be sent"
}

// Kind is the error kind shown by the CLI.
func (e *RequestExpiredError) Kind() string { return "request-expired" }

// Localize says that signing took too long.
func (e *RequestExpiredError) Localize(l *i18n.Localizer) string { return l.T("error.request-expired") }

// Reasons of a LifetimeError.
const (
	LifetimeEnded       = "ended"
	LifetimeNotYetValid = "not-yet-valid"
	LifetimeTooLong     = "too-long"
)

// LifetimeError is an assertion whose validity cannot be a session: already
// ended, starting in the future (beyond session.MaxClockSkew), or longer
// than session.MaxLifetime (ehealth-protocol.md §7; issue 14 §7).
type LifetimeError struct {
	Reason                  string
	NotBefore, NotOnOrAfter time.Time
}

func (e *LifetimeError) Error() string {
	return fmt.Sprintf("bad STS response: the session eHealth returned (%s to %s) is %s",
		e.NotBefore.UTC().Format(time.RFC3339), e.NotOnOrAfter.UTC().Format(time.RFC3339), e.Reason)
}

// Kind is the error kind shown by the CLI.
func (e *LifetimeError) Kind() string { return "sts-response" }

// Localize says what is wrong with the session's times.
func (e *LifetimeError) Localize(l *i18n.Localizer) string {
	switch e.Reason {
	case LifetimeEnded:
		return l.T("error.session-ended", map[string]any{"DateTime": l.DateTime(e.NotOnOrAfter)})
	case LifetimeNotYetValid:
		return l.T("error.session-not-yet-valid", map[string]any{"DateTime": l.DateTime(e.NotBefore)})
	}
	return l.T("error.session-too-long", map[string]any{"DateTime": l.DateTime(e.NotOnOrAfter)})
}

// checkLifetime refuses an assertion that cannot be a session at now, the
// local clock. NotBefore is compared with eHealth's clock (now corrected by
// the measured skew), with session.MaxClockSkew of leeway: real answers
// backdate it by about 5 minutes.
func checkLifetime(a *session.Assertion, now time.Time) error {
	e := &LifetimeError{NotBefore: a.NotBefore, NotOnOrAfter: a.NotOnOrAfter}
	switch {
	case !now.Before(a.NotOnOrAfter):
		e.Reason = LifetimeEnded
	case a.NotBefore.After(now.Add(a.ClockSkew + session.MaxClockSkew)):
		e.Reason = LifetimeNotYetValid
	case a.NotOnOrAfter.Sub(a.NotBefore) > session.MaxLifetime:
		e.Reason = LifetimeTooLong
	default:
		return nil
	}
	return e
}
