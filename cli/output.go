package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"ehealth-tray/app"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/prompt"
	"ehealth-tray/safefile"
	"ehealth-tray/textsafe"

	"golang.org/x/term"
)

// readLine reads one line of stdin as bytes (no string copy of a secret):
// the one place stdin is read. prompt.Lines caps it at 4 KiB and reads
// UTF-8 (with or without BOM), UTF-16 with a BOM, and CRLF.
func (e *env) readLine() ([]byte, error) {
	line, err := e.stdin.ReadLine()
	switch {
	case errors.Is(err, prompt.ErrLineTooLong):
		return nil, &cliError{id: "cli.line-too-long", kind: "line-too-long"}
	case err != nil:
		return nil, &cliError{id: "cli.no-stdin", kind: "no-stdin"}
	}
	return line, nil
}

// readPassword reads the password line of stdin and remembers whether it
// ends with a space (kept: it may be part of the password).
func (e *env) readPassword() ([]byte, error) {
	pw, err := e.readSecret("dialog.password-prompt")
	e.spaceEnded = len(pw) > 0 && pw[len(pw)-1] == ' '
	return pw, err
}

// readSecret reads a secret line of stdin: when stdin is a terminal
// (--password-stdin typed by hand), after the prompt promptID and with echo
// off, so the secret never shows.
func (e *env) readSecret(promptID string) ([]byte, error) {
	if e.tty == nil {
		return e.readLine()
	}
	fmt.Fprint(e.stderr, e.loc.T(promptID)+" ")
	s, err := term.ReadPassword(int(e.tty.Fd()))
	fmt.Fprintln(e.stderr) // the Enter that the terminal did not echo
	if err != nil {
		return nil, &cliError{id: "cli.no-stdin", kind: "no-stdin"}
	}
	return s, nil
}

// explain adds to a wrong password read from stdin that it ended with a
// space: `echo pw | ehealth-tray …` in cmd.exe adds one.
func (e *env) explain(err error) error {
	if e.spaceEnded && errkind.Of(err) == "wrong-password" {
		return &spaceEndedError{err}
	}
	return err
}

type spaceEndedError struct{ err error }

func (s *spaceEndedError) Error() string {
	return s.err.Error() + " (the password read ends with a space)"
}
func (s *spaceEndedError) Unwrap() error { return s.err }

// Kind is the CLI kind: still a wrong password.
func (s *spaceEndedError) Kind() string { return "wrong-password" }

// Localize words the error in l's language (i18n.Localized).
func (s *spaceEndedError) Localize(l *i18n.Localizer) string {
	return l.T("cli.password-ends-with-space", map[string]any{"Error": app.ErrorMessage(l, s.err)})
}

// cliError is an error of the command line itself, worded from the catalog.
// Err, when set, is the cause, shown as {{.Error}}; kind, when empty, is the
// cause's.
type cliError struct {
	id   string
	kind string
	data map[string]any
	err  error
}

func (e *cliError) Error() string { return e.Localize(nil) }

func (e *cliError) Unwrap() error { return e.err }

// Kind is the CLI kind.
func (e *cliError) Kind() string {
	if e.kind != "" {
		return e.kind
	}
	return errkind.Of(e.err)
}

// Localize words the error in the language of l (i18n.Localized).
func (e *cliError) Localize(l *i18n.Localizer) string {
	if e.err == nil {
		return l.T(e.id, e.data)
	}
	return l.T(e.id, e.data, map[string]any{"Error": app.ErrorMessage(l, e.err)})
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorJSON is the shape of every JSON error. Details carries the technical
// text of an error the app does not understand, never the message.
type errorJSON struct {
	Kind    string `json:"kind"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// describe words err for the reader: its kind and translated message. An
// error of no known kind gets fallback as its kind, a plain sentence as its
// message, and its own text as details.
func (e *env) describe(err error, fallback string) errorJSON {
	err = e.explain(err)
	kind := errkind.Of(err)
	var own i18n.Localized
	var notRegular *safefile.NotRegularError
	var tooLarge *safefile.TooLargeError
	switch {
	case kind == "no-dialog":
		// Whatever failed (pinentry, the terminal), the fix is the same.
		return errorJSON{Kind: kind, Message: e.loc.T("cli.no-dialog"), Details: err.Error()}
	case errors.As(err, &notRegular):
		return errorJSON{Kind: kind, Message: e.loc.T("cli.not-regular-file", map[string]any{"Path": notRegular.Path})}
	case errors.As(err, &tooLarge):
		return errorJSON{Kind: kind, Message: e.loc.T("cli.too-large", map[string]any{"Path": tooLarge.Path})}
	case kind == "" && !errors.As(err, &own):
		return errorJSON{Kind: fallback, Message: e.loc.T("cli.unexpected"), Details: err.Error()}
	case kind == "":
		kind = fallback
	}
	ej := errorJSON{Kind: kind, Message: app.ErrorMessage(e.loc, err)}
	// An error worded by its kind alone keeps its technical text (a host, an
	// HTTP status, a library's words) out of the translated message, here.
	if !errors.As(err, &own) {
		ej.Details = textsafe.String(err.Error())
	}
	return ej
}

// exitFor is the exit code of a failure of kind: 2 for what the command line
// got wrong, else 1.
func exitFor(kind string) int {
	switch kind {
	case "usage", "config-not-found":
		return exitUsage
	}
	return exitFail
}

// failKind reports an error as {"error": {...}} with --json (and the
// config's warnings, if any), else as text, in the reader's language; the
// kind stays as it is.
func (e *env) failKind(asJSON bool, err error, fallbackKind string) int {
	ej := e.describe(err, fallbackKind)
	if asJSON {
		out := map[string]any{"error": ej}
		if len(e.configIssues) > 0 {
			out["warnings"] = e.warnings()
		}
		writeJSON(e.stdout, out)
		return exitFor(ej.Kind)
	}
	e.printError(ej)
	return exitFor(ej.Kind)
}

// printError writes an error for humans on stderr, its details (if any) on
// a line of their own.
func (e *env) printError(ej errorJSON) {
	msg := ej.Message
	if ej.Code != "" {
		msg += " (" + ej.Code + ")"
	}
	fmt.Fprintf(e.stderr, "ehealth-tray: %s\n", msg)
	if ej.Details != "" {
		fmt.Fprintf(e.stderr, "  %s\n", e.loc.T("cli.details", map[string]any{"Details": ej.Details}))
	}
}

// warningJSON is one problem of the config file in JSON output.
type warningJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Key     string `json:"key"`
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// warnings are the config's issues for JSON output; never nil, so that the
// field is always a list.
func (e *env) warnings() []warningJSON {
	out := []warningJSON{}
	for _, i := range e.configIssues {
		out = append(out, warningJSON{File: i.File, Line: i.Line, Key: i.Key, Message: i.Message(e.loc), Details: i.Detail})
	}
	return out
}

func (e *env) warn(msg string) {
	fmt.Fprintln(e.stderr, e.loc.T("cli.warning", map[string]any{"Message": msg}))
}
