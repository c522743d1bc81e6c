// Package prompt asks the practitioner for a secret (the eHealth certificate
// password, a PIN) or a yes/no answer, through the desktop's own dialogs:
// a pinentry program over the Assuan protocol on Linux (zenity or kdialog as a
// fallback), osascript on macOS, and the Windows credential dialog.
//
// A secret travels only through a pipe from the dialog program to this
// process: never argv, the environment or a file. Cancel is a normal outcome,
// reported as ErrCanceled.
package prompt

import (
	"context"
	"errors"

	"ehealth-tray/errkind"
)

// Request describes one dialog. Description may hold several lines.
type Request struct {
	Title       string
	Description string
	Prompt      string // label next to the entry, e.g. "Password:"
	OK, Cancel  string // button labels; empty = the program's defaults
}

// Prompter asks questions. Implementations are safe for one caller at a time.
type Prompter interface {
	// Secret asks for a password or PIN. The caller zeroes the result after use.
	Secret(ctx context.Context, r Request) ([]byte, error)
	// Confirm asks a yes/no question; false with a nil error means "no".
	Confirm(ctx context.Context, r Request) (bool, error)
}

type canceled struct{}

func (canceled) Error() string { return "cancelled" }
func (canceled) Kind() string  { return errkind.Canceled }

// ErrCanceled is returned when the user closes or cancels the dialog.
var ErrCanceled error = canceled{}

// ErrNoProgram means no dialog program could be found on this system.
var ErrNoProgram error = &UnavailableError{Err: errors.New("no password dialog program found (install pinentry-gnome3, pinentry-gtk2, pinentry-qt, zenity or kdialog, or set [prompt] program)")}

// UnavailableError means no dialog could be shown: no program, no display
// or terminal, or a dialog program that failed. Err is the technical cause,
// for the log; what the practitioner reads comes from the kind.
type UnavailableError struct {
	Program string // the dialog program, when one was tried
	Err     error
}

func (e *UnavailableError) Error() string {
	if e.Program != "" {
		return "password dialog " + e.Program + ": " + e.Err.Error()
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Kind is the CLI kind.
func (e *UnavailableError) Kind() string { return "no-dialog" }

// Zero overwrites a secret in place.
func Zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
