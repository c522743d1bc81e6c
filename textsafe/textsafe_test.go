package textsafe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain, accents é ü, emoji 🩺\tand\nlines": "plain, accents é ü, emoji 🩺\tand\nlines",
		"\x1b]0;pwned\x07\x1b[2J":                 `\u001b]0;pwned\u0007\u001b[2J`,
		"carriage\rreturn":                        `carriage\u000dreturn`,
		"c1 \u009b31m csi":                        `c1 \u009b31m csi`,
		"bidi \u202egnp.exe":                      `bidi \u202egnp.exe`,
		"isolate \u2066x\u2069":                   `isolate \u2066x\u2069`,
		"bad \xff byte":                           `bad \xff byte`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterSplitRunes: a rune cut between writes is escaped (or kept) as a
// whole, and whole text passes unchanged.
func TestWriterSplitRunes(t *testing.T) {
	in := "Hélène \u202e 🩺 \u009b end\n"
	for cut := range len(in) {
		var out bytes.Buffer
		w := NewWriter(&out)
		for _, part := range []string{in[:cut], in[cut:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("%d %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := String(in); out.String() != want {
			t.Fatalf("cut %d: %q, want %q", cut, out.String(), want)
		}
	}
	// A truncated rune at the very end is shown as its bytes by Flush.
	var out bytes.Buffer
	w := NewWriter(&out)
	_, _ = w.Write([]byte("x\xe2\x80"))
	_ = w.Flush()
	if out.String() != `x\xe2\x80` {
		t.Fatalf("%q", out.String())
	}
}

// TestJSONStaysValid: JSON written through a Writer still decodes to the
// text, with the unsafe runes escaped the JSON way.
func TestJSONStaysValid(t *testing.T) {
	msg := "SOA-01001 \u009b\u202e\x1b[31m evil"
	var out bytes.Buffer
	if err := json.NewEncoder(NewWriter(&out)).Encode(map[string]string{"message": msg}); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got["message"] != msg {
		t.Fatalf("%q: %v %q", out.String(), err, got["message"])
	}
	if strings.ContainsAny(out.String(), "\x1b\u009b\u202e") {
		t.Fatalf("raw control characters: %q", out.String())
	}
}
