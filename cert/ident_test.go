package cert

import (
	"errors"
	"testing"

	"ehealth-tray/errkind"
)

func TestParseNISS(t *testing.T) {
	tests := []struct {
		in, want string // want "": invalid
	}{
		{"75031712390", "75031712390"},     // config example, born 1975: 97 - 750317123 mod 97 = 90
		{"75.03.17-123.90", "75031712390"}, // written form
		{" 750317 123 90 ", "75031712390"},
		{"05031712307", "05031712307"}, // born 2005: 97 - 2050317123 mod 97 = 07
		{"05031712375", "05031712375"}, // same digits, pre-2000 rule: also accepted
		{"75231712336", "75231712336"}, // BIS, month + 20
		{"75431712379", "75431712379"}, // BIS, month + 40
		{"75000012394", "75000012394"}, // month and day unknown

		{"75031712391", ""},  // checksum
		{"7503171239", ""},   // 10 digits
		{"750317123900", ""}, // 12 digits
		{"75O31712390", ""},  // letter O
		{"75031712390x", ""}, // trailing letter
		{"75131712363", ""},  // month 13, right check digits
		{"75331712309", ""},  // month 33 (BIS 13)
		{"75033212328", ""},  // day 32
		{"７５031712390", ""},  // fullwidth digits
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNISS(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseNISS(%q) = %q, want error", tt.in, got)
				}
				if !errors.Is(err, ErrInvalidNISS) || errkind.Of(err) != "invalid-niss" {
					t.Errorf("err = %v (kind %q), want ErrInvalidNISS", err, errkind.Of(err))
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("ParseNISS(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNISSErrorMessages(t *testing.T) {
	for in, want := range map[string]string{
		"7503171239":  "invalid NISS: has 10 digits, want 11",
		"75031712391": "invalid NISS: wrong check digits 91 (checksum)",
		"75131712363": "invalid NISS: month 13 is out of range",
		"75033212328": "invalid NISS: day 32 is out of range",
		"75x":         `invalid NISS: unexpected character 'x'`,
	} {
		if _, err := ParseNISS(in); err == nil || err.Error() != want {
			t.Errorf("ParseNISS(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestNISSFormat(t *testing.T) {
	if got := NISS("75031712390").Format(); got != "75.03.17-123.90" {
		t.Errorf("Format = %q", got)
	}
	if got := NISS("123").Format(); got != "123" {
		t.Errorf("Format of a short value = %q, want it unchanged", got)
	}
}

func TestParseINAMI(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"5/38861/71/521", "53886171521"}, // docs example: 538861 mod 97 = 26, 97 - 26 = 71
		{"53886171521", "53886171521"},
		{"5 38861 71 521", "53886171521"},
		{"1/00000/07/000", "10000007000"}, // 100000 mod 97 = 90

		{"5/38861/72/521", ""}, // checksum
		{"5/38861/71/52", ""},  // 10 digits
		{"5/38861/71/5211", ""},
		{"5/38861/71/52a", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseINAMI(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseINAMI(%q) = %q, want error", tt.in, got)
				}
				if !errors.Is(err, ErrInvalidINAMI) || errkind.Of(err) != "invalid-inami" {
					t.Errorf("err = %v (kind %q), want ErrInvalidINAMI", err, errkind.Of(err))
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("ParseINAMI(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := ParseINAMI("5/38861/72/521"); err == nil || err.Error() != "invalid INAMI number: wrong check digits 72 (checksum)" {
		t.Errorf("checksum error = %v", err)
	}
}

func TestINAMIFormat(t *testing.T) {
	if got := INAMI("53886171521").Format(); got != "5/38861/71/521" {
		t.Errorf("Format = %q", got)
	}
	if got := INAMI("5388").Format(); got != "5388" {
		t.Errorf("Format of a short value = %q, want it unchanged", got)
	}
}

func FuzzParseNISS(f *testing.F) {
	for _, s := range []string{"75031712390", "75.03.17-123.90", "05031712307", "75431712379", "7503171239x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNISS(s)
		if err != nil {
			if errkind.Of(err) != "invalid-niss" {
				t.Errorf("error %v has kind %q", err, errkind.Of(err))
			}
			return
		}
		if len(n) != 11 || !allDigits(string(n)) {
			t.Fatalf("ParseNISS(%q) = %q, not 11 digits", s, n)
		}
		if again, err := ParseNISS(n.Format()); err != nil || again != n {
			t.Errorf("ParseNISS(Format) = %q, %v; want %q", again, err, n)
		}
	})
}

func FuzzParseINAMI(f *testing.F) {
	for _, s := range []string{"5/38861/71/521", "53886171521", "5/38861/72/521", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseINAMI(s)
		if err != nil {
			if errkind.Of(err) != "invalid-inami" {
				t.Errorf("error %v has kind %q", err, errkind.Of(err))
			}
			return
		}
		if len(n) != 11 || !allDigits(string(n)) {
			t.Fatalf("ParseINAMI(%q) = %q, not 11 digits", s, n)
		}
		if again, err := ParseINAMI(n.Format()); err != nil || again != n {
			t.Errorf("ParseINAMI(Format) = %q, %v; want %q", again, err, n)
		}
	})
}
