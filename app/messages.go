package app

import (
	"errors"

	"ehealth-tray/session"
)

// ErrorMessage is the plain-language text of an error for the status line
// and notifications. STS faults keep their code and message verbatim, next to
// the explanation.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var fault *session.STSFault
	if errors.As(err, &fault) {
		return "eHealth refused the session: " + fault.Code + " " + fault.Message + " — " + session.ExplainSOA(fault.Code)
	}
	var status *session.STSStatusError
	if errors.As(err, &status) {
		return "eHealth refused the session: " + status.Code + " " + status.Message
	}
	return err.Error()
}

// kindOf is the error's kind for logs ("" when untyped).
func kindOf(err error) string {
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return k.Kind()
	}
	return ""
}
