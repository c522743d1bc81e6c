package prompt

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Pinentry talks to a pinentry program (pinentry-gnome3, -gtk2, -qt, -curses
// or any compatible one) over the Assuan protocol on its stdin/stdout.
type Pinentry struct {
	Program string
}

// assuanCanceled is GPG_ERR_CANCELED in the pinentry error source; pinentry
// sends it for Cancel, Escape and closing the window. 83886194 is "not
// confirmed", sent by CONFIRM for the "no" button.
const (
	assuanCanceled     = "83886179"
	assuanNotConfirmed = "83886194"
)

// Secret runs GETPIN.
func (p Pinentry) Secret(ctx context.Context, r Request) ([]byte, error) {
	var secret []byte
	err := p.session(ctx, r, func(c *assuanConn) error {
		data, err := c.command("GETPIN")
		secret = data
		return err
	})
	if err != nil {
		Zero(secret)
		return nil, err
	}
	return secret, nil
}

// Confirm runs CONFIRM.
func (p Pinentry) Confirm(ctx context.Context, r Request) (bool, error) {
	yes := false
	err := p.session(ctx, r, func(c *assuanConn) error {
		_, err := c.command("CONFIRM")
		var ae *assuanError
		if asAssuan(err, &ae) && (ae.code == assuanNotConfirmed || ae.code == assuanCanceled) {
			return nil
		}
		yes = err == nil
		return err
	})
	return yes, err
}

func (p Pinentry) session(ctx context.Context, r Request, run func(*assuanConn) error) error {
	cmd := exec.CommandContext(ctx, p.Program)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &UnavailableError{Program: p.Program, Err: err}
	}
	c := &assuanConn{w: stdin, r: bufio.NewReader(stdout)}
	err = c.greeting()
	for _, set := range [][2]string{
		{"SETTITLE", r.Title}, {"SETDESC", r.Description}, {"SETPROMPT", r.Prompt},
		{"SETOK", r.OK}, {"SETCANCEL", r.Cancel},
	} {
		if err == nil && set[1] != "" {
			_, err = c.command(set[0] + " " + escape(set[1]))
		}
	}
	if err == nil {
		err = run(c)
	}
	_, _ = c.command("BYE")
	_ = stdin.Close()
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ae *assuanError
	if asAssuan(err, &ae) && ae.code == assuanCanceled {
		return ErrCanceled
	}
	if err != nil {
		return &UnavailableError{Program: p.Program, Err: err}
	}
	_ = waitErr // pinentry may exit non-zero after BYE; the answer was already read
	return nil
}

type assuanConn struct {
	w io.Writer
	r *bufio.Reader
}

type assuanError struct{ code, msg string }

func (e *assuanError) Error() string { return "pinentry: " + e.msg + " (" + e.code + ")" }

func asAssuan(err error, target **assuanError) bool {
	ae, ok := err.(*assuanError)
	if ok {
		*target = ae
	}
	return ok
}

func (c *assuanConn) greeting() error {
	_, err := c.readReply()
	return err
}

// command sends one line and collects the D lines of the reply.
func (c *assuanConn) command(line string) ([]byte, error) {
	if _, err := io.WriteString(c.w, line+"\n"); err != nil {
		return nil, err
	}
	return c.readReply()
}

func (c *assuanConn) readReply() ([]byte, error) {
	var data []byte
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			Zero(data)
			return nil, fmt.Errorf("pinentry closed the connection: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case bytes.Equal(line, []byte("OK")) || bytes.HasPrefix(line, []byte("OK ")):
			return data, nil
		case bytes.HasPrefix(line, []byte("D ")):
			data = append(data, unescape(line[2:])...)
			Zero(line)
		case bytes.HasPrefix(line, []byte("ERR ")):
			Zero(data)
			code, msg, _ := strings.Cut(string(line[4:]), " ")
			return nil, &assuanError{code: code, msg: msg}
		default:
			// S (status), # (comment) and INQUIRE lines carry nothing we need.
		}
	}
}

// escape percent-encodes what Assuan cannot carry in a line.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString("%25")
		case '\n':
			b.WriteString("%0A")
		case '\r':
			b.WriteString("%0D")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescape decodes %XX in place-sized output without building strings, so the
// secret is not copied into immutable memory.
func unescape(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		if in[i] == '%' && i+2 < len(in) {
			if v, ok := hexByte(in[i+1], in[i+2]); ok {
				out = append(out, v)
				i += 2
				continue
			}
		}
		out = append(out, in[i])
	}
	return out
}

func hexByte(a, b byte) (byte, bool) {
	h, ok1 := hexVal(a)
	l, ok2 := hexVal(b)
	return h<<4 | l, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
