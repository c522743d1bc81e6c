package eid

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"

	"ehealth-tray/errkind"
)

// Error kinds, as shown by the CLI.
const (
	KindModuleNotFound = "module-not-found"
	KindNoReader       = "no-reader"
	KindNoCard         = "no-card"
	KindCardUnknown    = "card-unknown"
	KindCardRemoved    = "card-removed"
	KindCanceled       = errkind.Canceled
	KindPINIncorrect   = "pin-incorrect"
	KindPINLocked      = "pin-locked"
	KindKeyNotFound    = "key-not-found"
	// KindOtherPerson: the card is someone else's (the CLI's identity-mismatch).
	KindOtherPerson = "identity-mismatch"
	// KindCardError is any other failure of the module or the card.
	KindCardError = "card-error"
)

// ErrCanceled is what a PINFunc returns when the user cancels the PIN prompt.
var ErrCanceled = errors.New("PIN entry cancelled")

// Error is an eID failure with a message meant for the user.
type Error struct {
	kind string
	msg  string
	err  error
	// triesLeft is what the card said after a wrong PIN: 2, 1, or 0 when
	// it did not say.
	triesLeft int
}

// TriesLeft is how many PIN tries the card has left after a wrong PIN, when
// the card tells (the Belgian eID does, through its token flags); 0 when
// unknown.
func (e *Error) TriesLeft() int { return e.triesLeft }

func (e *Error) Error() string { return e.msg }

// Kind is the error kind shown by the CLI (one of the Kind constants).
func (e *Error) Kind() string { return e.kind }

// Unwrap returns the cause, typically a pkcs11.Error.
func (e *Error) Unwrap() error { return e.err }

func newError(kind, msg string, cause error) *Error {
	return &Error{kind: kind, msg: msg, err: cause}
}

// hasCode reports whether err is the PKCS#11 return value code.
func hasCode(err error, code uint) bool {
	var perr pkcs11.Error
	return errors.As(err, &perr) && uint(perr) == code
}

// classify turns an error from the module into an *Error. op says what was
// being done, for the generic message. inUse tells whether the card was
// already open: a token that is then "not present" was pulled out. flags are
// the token flags read after the failure; the eID reports the PIN tries left
// through them.
func classify(op string, err error, inUse bool, flags uint) *Error {
	var perr pkcs11.Error
	if !errors.As(err, &perr) {
		return newError(KindCardError, fmt.Sprintf("eID card error while %s: %v", op, err), err)
	}
	switch uint(perr) {
	case pkcs11.CKR_TOKEN_NOT_PRESENT:
		if inUse {
			return newError(KindCardRemoved, "The eID card was removed from the reader", err)
		}
		return newError(KindNoCard, "No card in the reader", err)
	case pkcs11.CKR_OBJECT_HANDLE_INVALID, pkcs11.CKR_KEY_HANDLE_INVALID:
		// The key found at Open is gone: the card was pulled out (or
		// swapped) in between.
		if inUse {
			return newError(KindCardRemoved, "The eID card was removed from the reader", err)
		}
	case pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED:
		return newError(KindCardRemoved, "The eID card was removed from the reader", err)
	case pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		return newError(KindCardUnknown,
			"The card in the reader is not a Belgian eID, or another program is blocking the reader", err)
	case pkcs11.CKR_FUNCTION_CANCELED:
		return newError(KindCanceled, "PIN entry was cancelled", err)
	case pkcs11.CKR_PIN_INCORRECT:
		e := newError(KindPINIncorrect, "Wrong PIN", err)
		switch {
		case flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0:
			e.msg, e.triesLeft = "Wrong PIN (last try)", 1
		case flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0:
			e.msg, e.triesLeft = "Wrong PIN (2 tries left)", 2
		}
		return e
	case pkcs11.CKR_PIN_LOCKED:
		return newError(KindPINLocked, "The card's PIN is blocked; unblock it with the PUK code", err)
	}
	return newError(KindCardError, fmt.Sprintf("eID card error while %s: %v", op, err), err)
}
