// Package textsafe keeps text from elsewhere (an STS fault message, a config
// value, a file name) from steering the terminal it is printed on: control
// characters (ESC and the rest of C0 but tab and newline, DEL, C1) and the
// bidirectional overrides that reorder what is shown are written as visible
// \uXXXX escapes, and invalid UTF-8 bytes as \xNN.
//
// The escapes are valid inside JSON strings too, so one Writer serves text
// and JSON output.
package textsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// steers reports a rune that must not reach a terminal raw.
func steers(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f: // C0, DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1, CSI among them
		return true
	case r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069,                // LRI, RLI, FSI, PDI
		r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	}
	return false
}

// String returns s with every unsafe rune escaped.
func String(s string) string {
	if !needsEscape([]byte(s)) {
		return s
	}
	var b strings.Builder
	appendEscaped(&b, []byte(s))
	return b.String()
}

// Strip returns s without its unsafe runes and invalid bytes: for text that
// is kept (a name written into the settings), not only shown.
func Strip(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || steers(r) {
			return -1
		}
		return r
	}, s)
}

func needsEscape(p []byte) bool {
	for len(p) > 0 {
		r, n := utf8.DecodeRune(p)
		if (r == utf8.RuneError && n == 1) || steers(r) {
			return true
		}
		p = p[n:]
	}
	return false
}

func appendEscaped(b *strings.Builder, p []byte) {
	for len(p) > 0 {
		r, n := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(b, `\x%02x`, p[0])
		case steers(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.Write(p[:n])
		}
		p = p[n:]
	}
}

// Writer escapes what it passes on to W. A rune split across two writes is
// held back until it is whole, so escaping never depends on buffering.
type Writer struct {
	W     io.Writer
	carry []byte
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{W: w} }

// Write escapes p and writes it; it reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	data := append(w.carry, p...)
	w.carry = nil
	// Hold back an incomplete rune at the end (at most 3 bytes).
	for i := len(data) - 1; i >= 0 && i >= len(data)-3; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				w.carry = append([]byte(nil), data[i:]...)
				data = data[:i]
			}
			break
		}
	}
	if !needsEscape(data) {
		if _, err := w.W.Write(data); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	var b strings.Builder
	appendEscaped(&b, data)
	if _, err := io.WriteString(w.W, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a rune held back, escaped as the invalid bytes it is.
func (w *Writer) Flush() error {
	if len(w.carry) == 0 {
		return nil
	}
	var b strings.Builder
	appendEscaped(&b, w.carry)
	w.carry = nil
	_, err := io.WriteString(w.W, b.String())
	return err
}
