package cert

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
)

// rfc1779Keywords are the attribute keywords Java's X500Principal writes in
// RFC 1779 form; every other attribute is written "OID.n.n.n".
var rfc1779Keywords = map[string]string{
	"2.5.4.3":  "CN",
	"2.5.4.6":  "C",
	"2.5.4.7":  "L",
	"2.5.4.8":  "ST",
	"2.5.4.9":  "STREET",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
}

// rfc1779Specials force quoting, as in Java.
const rfc1779Specials = ",+=\n<>#;\\\""

// atv is an attribute of a name with its value still encoded, so that a
// non-string value can be written as "#" and its DER in hex.
type atv struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rdnSET is one relative distinguished name; encoding/asn1 reads a slice
// type named *SET as a SET OF.
type rdnSET []atv

// DN writes a DER-encoded X.501 Name (x509.Certificate's RawSubject or
// RawIssuer) in RFC 1779 form as Java writes it: most specific RDN first,
// `CN="SSIN=79021802145", OU=eHealth-platform Belgium, ..., C=BE`. It reads
// the DER itself because pkix.Name does not keep the RDN order.
func DN(raw []byte) (string, error) {
	var name []rdnSET
	if err := unmarshalAll(raw, &name); err != nil {
		return "", fmt.Errorf("distinguished name: %w", err)
	}
	var b strings.Builder
	for i := len(name) - 1; i >= 0; i-- {
		if i < len(name)-1 {
			b.WriteString(", ")
		}
		for j, a := range name[i] {
			if j > 0 {
				b.WriteString(" + ")
			}
			kw, ok := rfc1779Keywords[a.Type.String()]
			if !ok {
				kw = "OID." + a.Type.String()
			}
			b.WriteString(kw)
			b.WriteByte('=')
			b.WriteString(rfc1779Value(a.Value))
		}
	}
	return b.String(), nil
}

// rfc1779Value writes a string value, quoted when it holds a special
// character, leading, trailing or doubled white space; '"' and '\' are
// escaped. Other values are "#" and their DER in hex.
func rfc1779Value(v asn1.RawValue) string {
	var decoded any
	if _, err := asn1.Unmarshal(v.FullBytes, &decoded); err != nil {
		return "#" + strings.ToUpper(hex.EncodeToString(v.FullBytes)) // as Java writes it
	}
	s, ok := decoded.(string)
	if !ok {
		return "#" + strings.ToUpper(hex.EncodeToString(v.FullBytes)) // as Java writes it
	}
	var b strings.Builder
	quote := strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ")
	prevSpace := false
	for _, r := range s {
		space := r == ' ' || r == '\n'
		if space && prevSpace {
			quote = true
		}
		prevSpace = space
		if strings.ContainsRune(rfc1779Specials, r) {
			quote = true
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	if quote {
		return `"` + b.String() + `"`
	}
	return b.String()
}
