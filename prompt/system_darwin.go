package prompt

import (
	"context"
	"errors"
	"os/exec"
	"strings"
)

// systemDefault on macOS uses AppleScript dialogs through osascript; the
// script is passed on stdin and the answer comes back on stdout.
func systemDefault() (Prompter, error) { return appleScript{}, nil }

type appleScript struct{}

func (appleScript) Secret(ctx context.Context, r Request) ([]byte, error) {
	script := `text returned of (display dialog ` + quoteAS(r.Description) +
		` with title ` + quoteAS(r.Title) + ` default answer "" with hidden answer)`
	out, err := runAS(ctx, script)
	if err != nil {
		return nil, err
	}
	if n := len(out); n > 0 && out[n-1] == '\n' {
		out = out[:n-1]
	}
	return out, nil
}

func (appleScript) Confirm(ctx context.Context, r Request) (bool, error) {
	ok, cancel := r.OK, r.Cancel
	if ok == "" {
		ok = "OK"
	}
	if cancel == "" {
		cancel = "Cancel"
	}
	script := `display dialog ` + quoteAS(r.Description) + ` with title ` + quoteAS(r.Title) +
		` buttons {` + quoteAS(cancel) + `, ` + quoteAS(ok) + `} default button 2 cancel button 1`
	_, err := runAS(ctx, script)
	if errors.Is(err, ErrCanceled) {
		return false, nil
	}
	return err == nil, err
}

// runAS runs a script; osascript exits 1 with "User canceled" (-128) on Cancel.
func runAS(ctx context.Context, script string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "osascript", "-")
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return nil, ErrCanceled
	}
	return out, err
}

func quoteAS(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
