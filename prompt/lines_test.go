package prompt

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"ehealth-tray/errkind"
)

func utf16Bytes(s string, big bool) []byte {
	var out []byte
	if big {
		out = []byte{0xFE, 0xFF}
	} else {
		out = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestLines: what Windows and Unix tools write gives the same lines; spaces
// are kept.
func TestLines(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []byte
		want []string
	}{
		"lf":              {[]byte("s3cret\n1234\n"), []string{"s3cret", "1234"}},
		"crlf":            {[]byte("s3cret\r\n1234\r\n"), []string{"s3cret", "1234"}},
		"no final eol":    {[]byte("s3cret"), []string{"s3cret"}},
		"utf8 bom":        {[]byte("\xEF\xBB\xBFpässword\r\n"), []string{"pässword"}},
		"trailing space":  {[]byte("pw \r\n"), []string{"pw "}},
		"utf16le crlf":    {utf16Bytes("pässwörd 🔑\r\n1234\r\n", false), []string{"pässwörd 🔑", "1234"}},
		"utf16be":         {utf16Bytes("pässwörd\n", true), []string{"pässwörd"}},
		"utf16 no eol":    {utf16Bytes("abc", false), []string{"abc"}},
		"empty password":  {[]byte("\n"), []string{""}},
		"bom only in one": {[]byte("a\n\xEF\xBB\xBFb\n"), []string{"a", "\xEF\xBB\xBFb"}},
	} {
		t.Run(name, func(t *testing.T) {
			l := NewLines(bytes.NewReader(tc.in))
			for _, want := range tc.want {
				got, err := l.ReadLine()
				if err != nil || string(got) != want {
					t.Fatalf("got %q %v, want %q", got, err, want)
				}
			}
			if _, err := l.ReadLine(); !errors.Is(err, ErrNoLine) || errkind.Of(err) != "no-stdin" {
				t.Fatalf("after the last line: %v", err)
			}
		})
	}
}

// countingReader is an endless stream of zeros that counts what was read.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += len(p)
	return len(p), nil
}

// TestLinesCapped: an endless line (/dev/zero) stops at 4 KiB, whatever the
// encoding, instead of growing memory.
func TestLinesCapped(t *testing.T) {
	for _, head := range [][]byte{nil, {0xFF, 0xFE}} {
		c := &countingReader{}
		l := NewLines(io.MultiReader(bytes.NewReader(head), c))
		if _, err := l.ReadLine(); !errors.Is(err, ErrLineTooLong) || errkind.Of(err) != "line-too-long" {
			t.Fatalf("%v", err)
		}
		if c.n > 3*MaxLine {
			t.Fatalf("read %d bytes for a line capped at %d", c.n, MaxLine)
		}
	}
	// A line of exactly the cap is fine.
	l := NewLines(strings.NewReader(strings.Repeat("x", MaxLine) + "\n"))
	if got, err := l.ReadLine(); err != nil || len(got) != MaxLine {
		t.Fatalf("%d %v", len(got), err)
	}
	if f, err := os.Open("/dev/zero"); err == nil {
		defer f.Close()
		if _, err := NewLines(f).ReadLine(); !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("/dev/zero: %v", err)
		}
	}
}

// TestLinesShortAnswerDoesNotWait: "2\n" at a terminal is read at once; the
// byte-order-mark check must not wait for a third byte.
func TestLinesShortAnswerDoesNotWait(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := w.Write([]byte("2\n")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		line, _ := NewLines(r).ReadLine()
		got <- string(line)
	}()
	select {
	case g := <-got:
		if g != "2" {
			t.Fatalf("%q", g)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a two-byte line waits for more input")
	}
}
