package prompt

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
)

// DialogStyle selects the command line of a dialog program.
type DialogStyle int

// The dialog programs known besides pinentry.
const (
	Zenity DialogStyle = iota
	KDialog
)

// Dialog asks through zenity or kdialog. The secret comes back on the
// program's stdout; the texts in argv are not secret.
type Dialog struct {
	Program string
	Style   DialogStyle
}

// Secret asks for a hidden entry.
func (d Dialog) Secret(ctx context.Context, r Request) ([]byte, error) {
	var args []string
	if d.Style == Zenity {
		args = []string{"--entry", "--hide-text", "--title", r.Title, "--text", r.Description}
	} else {
		args = []string{"--title", r.Title, "--password", r.Description}
	}
	out, err := d.run(ctx, args)
	if err != nil {
		Zero(out)
		return nil, err
	}
	return bytes.TrimRight(out, "\r\n"), nil
}

// Text asks for a line of visible text (the INAMI number at setup).
func (d Dialog) Text(ctx context.Context, r Request) (string, error) {
	args := []string{"--title", r.Title, "--inputbox", r.Description}
	if d.Style == Zenity {
		args = []string{"--entry", "--title", r.Title, "--text", r.Description}
	}
	out, err := d.run(ctx, args)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(out), "\r\n"), nil
}

// WithText is a Prompter that asks visible text through another dialog
// program: pinentry, the best for secrets, has only masked entries.
type WithText struct {
	Prompter
	Texts Dialog
}

// Text asks through Texts.
func (w WithText) Text(ctx context.Context, r Request) (string, error) { return w.Texts.Text(ctx, r) }

// Confirm asks a yes/no question.
func (d Dialog) Confirm(ctx context.Context, r Request) (bool, error) {
	var args []string
	if d.Style == Zenity {
		args = []string{"--question", "--title", r.Title, "--text", r.Description}
		if r.OK != "" {
			args = append(args, "--ok-label", r.OK)
		}
		if r.Cancel != "" {
			args = append(args, "--cancel-label", r.Cancel)
		}
	} else {
		args = []string{"--title", r.Title, "--yesno", r.Description}
	}
	_, err := d.run(ctx, args)
	if errors.Is(err, ErrCanceled) {
		return false, nil
	}
	return err == nil, err
}

// run executes the dialog; exit status 1 is how both programs say "cancel".
func (d Dialog) run(ctx context.Context, args []string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, d.Program, args...).Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, nil
	case ctx.Err() != nil:
		return out, ctx.Err()
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return out, ErrCanceled
	}
	return out, &UnavailableError{Program: d.Program, Err: err}
}
