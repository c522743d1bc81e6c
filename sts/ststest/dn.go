package ststest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// rfc1779Keywords are the attribute keywords Java's X500Principal.getName(RFC1779)
// writes by name; every other attribute type is written as OID.<dotted>.
var rfc1779Keywords = map[string]string{
	"2.5.4.3":  "CN",
	"2.5.4.6":  "C",
	"2.5.4.7":  "L",
	"2.5.4.8":  "ST",
	"2.5.4.9":  "STREET",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
}

// javaKeywords are the keywords Java's X500Name.toString writes, the form in
// which the real STS re-renders the DNs of its answers: the RFC 1779 ones
// and more, among them SERIALNUMBER where RFC 1779 writes OID.2.5.4.5.
var javaKeywords = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET",
	"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "T", "2.5.4.5": "SERIALNUMBER",
	"2.5.4.4": "SURNAME", "2.5.4.42": "GIVENNAME", "2.5.4.43": "INITIALS", "2.5.4.44": "GENERATION",
	"2.5.4.46": "DNQ", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
	"1.2.840.113549.1.9.1": "EMAILADDRESS", "1.3.6.1.4.1.42.2.11.2.1": "IP",
}

// keywordOIDs maps the keywords a DN string may use (RFC 1779, RFC 2253 and
// Java's extra ones) to their OID, for the lenient comparison.
var keywordOIDs = map[string]string{
	"CN": "2.5.4.3", "C": "2.5.4.6", "L": "2.5.4.7", "ST": "2.5.4.8", "S": "2.5.4.8",
	"STREET": "2.5.4.9", "O": "2.5.4.10", "OU": "2.5.4.11", "T": "2.5.4.12", "TITLE": "2.5.4.12",
	"SERIALNUMBER": "2.5.4.5", "SURNAME": "2.5.4.4", "SN": "2.5.4.4", "GIVENNAME": "2.5.4.42",
	"G": "2.5.4.42", "GN": "2.5.4.42", "POSTALCODE": "2.5.4.17",
	"DC": "0.9.2342.19200300.100.1.25", "UID": "0.9.2342.19200300.100.1.1",
	"EMAIL": "1.2.840.113549.1.9.1", "EMAILADDRESS": "1.2.840.113549.1.9.1", "E": "1.2.840.113549.1.9.1",
}

// rfc1779Specials force a value into quotes (Java's AVA escapees).
const rfc1779Specials = ",+=\n<>#;\\\""

// formatDN writes a DER-encoded Name the way Java's RFC 1779 formatter does:
// most specific RDN first, ", " between RDNs, " + " inside a multi-valued RDN.
// The STS receives and compares this form, so it is written independently of
// the client's formatter.
func formatDN(der []byte) (string, error) { return formatDNWith(der, rfc1779Keywords) }

// formatJavaDN writes a DER-encoded Name as Java's X500Name.toString does:
// RFC 1779's layout and quoting with javaKeywords.
func formatJavaDN(der []byte) (string, error) { return formatDNWith(der, javaKeywords) }

func formatDNWith(der []byte, keywords map[string]string) (string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return "", fmt.Errorf("parse distinguished name: %w", err)
	}
	if len(rest) != 0 {
		return "", fmt.Errorf("parse distinguished name: %d trailing bytes", len(rest))
	}
	rdns := make([]string, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		avas := make([]string, 0, len(seq[i]))
		for _, ava := range seq[i] {
			s, err := formatAVA(ava, keywords)
			if err != nil {
				return "", err
			}
			avas = append(avas, s)
		}
		rdns = append(rdns, strings.Join(avas, " + "))
	}
	return strings.Join(rdns, ", "), nil
}

func formatAVA(ava pkix.AttributeTypeAndValue, keywords map[string]string) (string, error) {
	oid := ava.Type.String()
	key, ok := keywords[oid]
	if !ok {
		key = "OID." + oid
	}
	s, ok := ava.Value.(string)
	if !ok {
		// Java writes values that are not strings as #<hex of their DER>.
		der, err := asn1.Marshal(ava.Value)
		if err != nil {
			return "", fmt.Errorf("attribute %s: %w", oid, err)
		}
		return key + "=#" + strings.ToUpper(hex.EncodeToString(der)), nil
	}
	return key + "=" + quoteRFC1779(s), nil
}

// quoteRFC1779 quotes a value that holds a special character, leading or
// trailing white space or a run of white space, escaping " and \ inside.
func quoteRFC1779(v string) string {
	var b strings.Builder
	quote := false
	prevWhite := false
	for i, r := range v {
		white := r == ' ' || r == '\n'
		switch {
		case strings.ContainsRune(rfc1779Specials, r):
			quote = true
		case white && (i == 0 || prevWhite):
			quote = true
		}
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		prevWhite = white
		b.WriteRune(r)
	}
	if prevWhite {
		quote = true
	}
	if quote {
		return `"` + b.String() + `"`
	}
	return b.String()
}

// ava is one attribute of a parsed DN string, normalised for comparison.
type ava struct{ oid, value string }

// sameDN reports whether two DN strings name the same attributes, whatever
// their order, spacing, quoting or keyword spelling (RFC 1779 or RFC 2253).
// It is the lenient alternative to an exact string comparison.
func sameDN(a, b string) bool {
	pa, err := parseDN(a)
	if err != nil {
		return false
	}
	pb, err := parseDN(b)
	if err != nil {
		return false
	}
	return slices.Equal(pa, pb)
}

// parseDN reads an RFC 1779 / RFC 2253 DN string into its attributes, sorted.
func parseDN(s string) ([]ava, error) {
	p := dnParser{s: s}
	var out []ava
	for {
		p.skipSpace()
		if p.done() {
			break
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		value, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, ava{oid: key, value: strings.ToLower(value)})
		p.skipSpace()
		if p.done() {
			break
		}
		if c := p.s[p.i]; c != ',' && c != ';' && c != '+' {
			return nil, fmt.Errorf("dn: unexpected %q at %d", c, p.i)
		}
		p.i++
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dn: empty")
	}
	slices.SortFunc(out, func(x, y ava) int {
		if c := strings.Compare(x.oid, y.oid); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	return out, nil
}

type dnParser struct {
	s string
	i int
}

func (p *dnParser) done() bool { return p.i >= len(p.s) }

func (p *dnParser) skipSpace() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\n') {
		p.i++
	}
}

// key reads "KEYWORD=" or "OID.1.2.3=" or "1.2.3=" and returns the OID.
func (p *dnParser) key() (string, error) {
	eq := strings.IndexByte(p.s[p.i:], '=')
	if eq < 0 {
		return "", fmt.Errorf("dn: missing '=' after %d", p.i)
	}
	k := strings.ToUpper(strings.TrimSpace(p.s[p.i : p.i+eq]))
	p.i += eq + 1
	k = strings.TrimPrefix(k, "OID.")
	if oid, ok := keywordOIDs[k]; ok {
		return oid, nil
	}
	if k == "" || strings.Trim(k, "0123456789.") != "" {
		return "", fmt.Errorf("dn: unknown attribute keyword %q", k)
	}
	return k, nil
}

// value reads a quoted, #hex or plain value, undoing backslash escapes.
func (p *dnParser) value() (string, error) {
	p.skipSpace()
	if p.done() {
		return "", nil
	}
	if p.s[p.i] == '"' {
		p.i++
		var b strings.Builder
		for !p.done() {
			c := p.s[p.i]
			switch {
			case c == '\\' && p.i+1 < len(p.s):
				b.WriteByte(p.s[p.i+1])
				p.i += 2
			case c == '"':
				p.i++
				return b.String(), nil
			default:
				b.WriteByte(c)
				p.i++
			}
		}
		return "", fmt.Errorf("dn: unterminated quote")
	}
	var b strings.Builder
	hexForm := p.s[p.i] == '#'
	for !p.done() {
		c := p.s[p.i]
		if c == ',' || c == ';' || c == '+' {
			break
		}
		if c == '\\' && p.i+1 < len(p.s) {
			// RFC 2253 allows \XX hex pairs as well as \<special>.
			if p.i+2 < len(p.s) {
				if h, err := hex.DecodeString(p.s[p.i+1 : p.i+3]); err == nil {
					b.Write(h)
					p.i += 3
					continue
				}
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	v := strings.TrimRight(b.String(), " \n")
	if hexForm {
		return decodeHexValue(v[1:])
	}
	return v, nil
}

// decodeHexValue reads a #<hex DER> value (RFC 2253 §2.4) as its string.
func decodeHexValue(h string) (string, error) {
	der, err := hex.DecodeString(h)
	if err != nil {
		return "", fmt.Errorf("dn: bad #hex value: %w", err)
	}
	var v any
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		return "", fmt.Errorf("dn: bad #hex value")
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "#" + strings.ToLower(h), nil
}
