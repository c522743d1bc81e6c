package cert

import (
	"fmt"
	"strconv"
	"strings"
)

// NISS is a Belgian national number (NISS, INSZ, SSIN): 11 digits
// YYMMDDSSSCC, normalized to digits only.
type NISS string

// ParseNISS accepts a NISS as bare digits or written with dots, dashes,
// slashes or spaces ("75.03.17-123.90"). It checks the birth date ranges
// (BIS numbers add 20 or 40 to the month) and the check digits, computed for a
// birth before or from 2000.
func ParseNISS(s string) (NISS, error) {
	d, err := elevenDigits(s, ErrInvalidNISS)
	if err != nil {
		return "", err
	}
	month, _ := strconv.Atoi(d[2:4])
	day, _ := strconv.Atoi(d[4:6])
	switch {
	case month >= 40:
		month -= 40
	case month >= 20:
		month -= 20
	}
	if month > 12 {
		return "", fmt.Errorf("%w: month %s is out of range", ErrInvalidNISS, d[2:4])
	}
	if day > 31 {
		return "", fmt.Errorf("%w: day %s is out of range", ErrInvalidNISS, d[4:6])
	}
	first9, _ := strconv.Atoi(d[:9])
	check, _ := strconv.Atoi(d[9:])
	if check != 97-first9%97 && check != 97-(2_000_000_000+first9)%97 {
		return "", fmt.Errorf("%w: wrong check digits %s (checksum)", ErrInvalidNISS, d[9:])
	}
	return NISS(d), nil
}

// Format writes n as "YY.MM.DD-SSS.CC".
func (n NISS) Format() string {
	s := string(n)
	if len(s) != 11 {
		return s
	}
	return s[0:2] + "." + s[2:4] + "." + s[4:6] + "-" + s[6:9] + "." + s[9:11]
}

// INAMI is a Belgian practitioner number (INAMI, RIZIV, NIHII): 11 digits,
// normalized to digits only. Digits 9-11 are the qualification code.
type INAMI string

// ParseINAMI accepts an INAMI number as bare digits or slashed
// ("5/38861/71/521"), and checks digits 7-8 against the first six.
func ParseINAMI(s string) (INAMI, error) {
	d, err := elevenDigits(s, ErrInvalidINAMI)
	if err != nil {
		return "", err
	}
	first6, _ := strconv.Atoi(d[:6])
	check, _ := strconv.Atoi(d[6:8])
	if check != 97-first6%97 {
		return "", fmt.Errorf("%w: wrong check digits %s (checksum)", ErrInvalidINAMI, d[6:8])
	}
	return INAMI(d), nil
}

// Format writes n as "D/DDDDD/CC/QQQ".
func (n INAMI) Format() string {
	s := string(n)
	if len(s) != 11 {
		return s
	}
	return s[0:1] + "/" + s[1:6] + "/" + s[6:8] + "/" + s[8:11]
}

// elevenDigits drops the separators people write in these numbers and
// checks that 11 ASCII digits remain.
func elevenDigits(s string, sentinel *Error) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/':
		default:
			return "", fmt.Errorf("%w: unexpected character %q", sentinel, r)
		}
	}
	if b.Len() != 11 {
		return "", fmt.Errorf("%w: has %d digits, want 11", sentinel, b.Len())
	}
	return b.String(), nil
}
