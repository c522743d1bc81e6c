package prompt

import (
	"bufio"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxLine is the longest line Lines reads, in bytes as given: a password,
// a PIN or an answer is far shorter, and an endless stream (/dev/zero) must
// not grow memory.
const MaxLine = 4096

// ErrLineTooLong is returned for a line longer than MaxLine.
var ErrLineTooLong error = &LineError{kind: "line-too-long"}

// ErrNoLine is returned when the input ends before a line.
var ErrNoLine error = &LineError{kind: "no-stdin"}

// LineError is a problem with a line of standard input.
type LineError struct{ kind string }

func (e *LineError) Error() string {
	if e.kind == "line-too-long" {
		return "the line read is longer than 4 KiB"
	}
	return "nothing to read on standard input"
}

// Kind is the CLI kind.
func (e *LineError) Kind() string { return e.kind }

// Lines reads the lines given on standard input (--password-stdin): the
// password, then a PIN. It reads what Windows tools write as well as what
// Unix ones do: UTF-8 with or without a byte-order mark, UTF-16 (little or
// big endian) when the input starts with its byte-order mark, and CRLF or LF
// line ends. Spaces are kept: they may be part of a password.
type Lines struct {
	r       *bufio.Reader
	started bool
	utf16   binaryOrder // nil: UTF-8
}

type binaryOrder interface{ Uint16([]byte) uint16 }

type littleEndian struct{}

func (littleEndian) Uint16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

type bigEndian struct{}

func (bigEndian) Uint16(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 }

// NewLines reads lines from r.
func NewLines(r io.Reader) *Lines { return &Lines{r: bufio.NewReaderSize(r, MaxLine)} }

// ReadLine returns the next line without its line end, as bytes that the
// caller zeroes after use (no string copy of a secret is made). A last line
// without a line end counts; no line at all gives ErrNoLine.
func (l *Lines) ReadLine() ([]byte, error) {
	if !l.started {
		l.started = true
		l.detect()
	}
	if l.utf16 != nil {
		return l.readUTF16()
	}
	return l.readUTF8()
}

// detect reads the byte-order mark, if any, at the start of the input. It
// waits for more than one byte only when the first is a mark's: at a
// terminal, a one-character answer must not wait for more.
func (l *Lines) detect() {
	head, _ := l.r.Peek(1)
	switch {
	case len(head) == 1 && head[0] == 0xEF:
		head, _ = l.r.Peek(3)
	case len(head) == 1 && (head[0] == 0xFF || head[0] == 0xFE):
		head, _ = l.r.Peek(2)
	}
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		_, _ = l.r.Discard(3)
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		l.utf16 = littleEndian{}
		_, _ = l.r.Discard(2)
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		l.utf16 = bigEndian{}
		_, _ = l.r.Discard(2)
	}
}

func (l *Lines) readUTF8() ([]byte, error) {
	// Room for the longest line at once: growing would leave copies behind.
	line := make([]byte, 0, MaxLine)
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return finish(line, err)
		}
		if c == '\n' {
			return trimCR(line), nil
		}
		if len(line) == MaxLine {
			Zero(line)
			return nil, ErrLineTooLong
		}
		line = append(line, c)
	}
}

func (l *Lines) readUTF16() ([]byte, error) {
	units := make([]uint16, 0, MaxLine/2)
	defer func() { clear(units) }()
	var pair [2]byte
	for {
		if _, err := io.ReadFull(l.r, pair[:]); err != nil {
			line := encodeUTF16(units)
			return finish(line, err)
		}
		u := l.utf16.Uint16(pair[:])
		if u == '\n' {
			return trimCR(encodeUTF16(units)), nil
		}
		if 2*len(units) == MaxLine {
			return nil, ErrLineTooLong
		}
		units = append(units, u)
	}
}

// encodeUTF16 turns UTF-16 code units into UTF-8 without a string copy.
func encodeUTF16(units []uint16) []byte {
	out := make([]byte, 0, len(units)*3)
	for i := 0; i < len(units); i++ {
		r := rune(units[i])
		if utf16.IsSurrogate(r) && i+1 < len(units) {
			if d := utf16.DecodeRune(r, rune(units[i+1])); d != utf8.RuneError {
				r = d
				i++
			}
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// finish ends a read that hit the end of the input (or an error).
func finish(line []byte, err error) ([]byte, error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if len(line) > 0 {
			return trimCR(line), nil
		}
		return nil, ErrNoLine
	}
	Zero(line)
	return nil, err
}

func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line[n-1] = 0
		return line[:n-1]
	}
	return line
}
