package etk

import (
	"errors"
	"fmt"

	"ehealth-tray/i18n"
	"ehealth-tray/soap"
)

// ResponseError is an answer of the depot that cannot be used: not a
// GetEtkResponse, a status or error code other than success and
// NO_MATCHING_ETK, an ETK that is not a CMS SignedData holding a
// certificate, an ETK for someone else, a MatchingEtk loop, an answer too
// large, or an HTTP 4xx.
type ResponseError struct {
	Reason string
	Err    error
}

func (e *ResponseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("ETK depot: unusable answer: %s: %v", e.Reason, e.Err)
	}
	return "ETK depot: unusable answer: " + e.Reason
}

func (e *ResponseError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *ResponseError) Kind() string { return "etk-response" }

// Localize words the error for the practitioner.
func (e *ResponseError) Localize(l *i18n.Localizer) string {
	return l.T("etk.error-response")
}

// UnavailableError is a depot that says it cannot answer: an HTTP 5xx, a
// SOAP fault, or a GetEtkResponse status 5xx. Code and Message are the
// depot's, when it gave them.
type UnavailableError struct {
	Code, Message string
	Err           error
}

func (e *UnavailableError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("ETK depot unavailable: %v", e.Err)
	case e.Message != "":
		return fmt.Sprintf("ETK depot unavailable: status %s: %s", e.Code, e.Message)
	}
	return "ETK depot unavailable: status " + e.Code
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *UnavailableError) Kind() string { return "etk-unavailable" }

// Localize words the error for the practitioner.
func (e *UnavailableError) Localize(l *i18n.Localizer) string {
	return l.T("etk.error-unavailable")
}

// classify maps the errors of the SOAP layer that are the service's to word
// to this package's: faults and 5xx are an unavailable depot, any other
// answer that is no GetEtkResponse an unusable one. Errors with a kind of
// their own (network, timeout, tls-untrusted, config) pass unchanged.
func classify(err error) error {
	var (
		fault    *soap.Fault
		status   *soap.HTTPError
		answer   *soap.AnswerError
		tooLarge *soap.TooLargeError
		redirect *soap.RedirectError
	)
	switch {
	case errors.As(err, &fault):
		return &UnavailableError{Code: fault.Code, Message: fault.Message, Err: err}
	case errors.As(err, &status) && status.Unavailable():
		return &UnavailableError{Err: err}
	case errors.As(err, &status):
		return &ResponseError{Reason: "HTTP error", Err: err}
	case errors.As(err, &answer):
		return &ResponseError{Reason: "not a SOAP answer", Err: err}
	case errors.As(err, &tooLarge):
		return &ResponseError{Reason: "answer too large", Err: err}
	case errors.As(err, &redirect):
		return &ResponseError{Reason: "redirected", Err: err}
	}
	return err
}
