package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Terminal asks on a terminal, without echoing the secret: for the command
// line in a terminal (an SSH session has no dialog to show).
type Terminal struct {
	In  *os.File  // the terminal to read from
	Out io.Writer // where the question goes (stderr, so stdout stays JSON)
}

// IsTerminal tells whether f is an interactive terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Secret reads a line with echo off. Ctrl+D cancels; so does ctx (Ctrl+C,
// when the caller turns SIGINT into a canceled context), which puts the
// terminal back as it was: echo never stays off.
func (t Terminal) Secret(ctx context.Context, r Request) ([]byte, error) {
	t.ask(r)
	fmt.Fprint(t.Out, r.Prompt+" ")
	fd := int(t.In.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		fmt.Fprintln(t.Out)
		return nil, &UnavailableError{Err: err}
	}
	type result struct {
		b   []byte
		err error
	}
	read := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		read <- result{b, err}
	}()
	var b []byte
	select {
	case res := <-read:
		b, err = res.b, res.err
	case <-ctx.Done():
		// The read is abandoned to the process's end; only the echo matters.
		_ = term.Restore(fd, state)
		fmt.Fprintln(t.Out)
		return nil, ctx.Err()
	}
	fmt.Fprintln(t.Out)
	switch {
	case errors.Is(err, io.EOF) || (err == nil && len(b) == 0):
		return nil, ErrCanceled
	case err != nil:
		// Not a terminal after all (an ioctl error): said as no dialog.
		return nil, &UnavailableError{Err: err}
	}
	return b, nil
}

// Confirm reads a yes/no answer; anything but yes (in the languages we
// speak) is no, as the safe default.
func (t Terminal) Confirm(_ context.Context, r Request) (bool, error) {
	t.ask(r)
	fmt.Fprint(t.Out, "[y/N] ")
	line, err := bufio.NewReader(t.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "o", "oui", "j", "ja":
		return true, nil
	}
	return false, nil
}

func (t Terminal) ask(r Request) {
	if r.Title != "" {
		fmt.Fprintln(t.Out, r.Title)
	}
	if r.Description != "" {
		fmt.Fprintln(t.Out, r.Description)
	}
}
