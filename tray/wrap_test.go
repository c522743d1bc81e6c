package tray

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"short", 10, []string{"short"}},
		{"Session eHealth active jusqu'à demain 16:42 (via eID)", 21,
			[]string{"Session eHealth", "active jusqu'à demain", "16:42 (via eID)"}},
		{"SSIN=79021802145_20261128-120000.p12 x", 10, []string{"SSIN=79021", "802145_202", "61128-1200", "00.p12 x"}},
		{"  spaced   out  ", 48, []string{"spaced out"}},
	} {
		if got := Wrap(tc.in, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
	long := strings.Repeat("Leistungserbringer ", 20)
	for _, l := range Wrap(long, MaxLabel) {
		if n := utf8.RuneCountInString(l); n > MaxLabel {
			t.Errorf("line of %d characters: %q", n, l)
		}
	}
}

func TestFit(t *testing.T) {
	if got := fit("abcdef", 4); got != "abc…" {
		t.Errorf("fit = %q", got)
	}
	if got := fit("abc", 4); got != "abc" {
		t.Errorf("fit = %q", got)
	}
}
