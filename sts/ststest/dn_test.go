package ststest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"ehealth-tray/cert/certtest"
)

func TestFormatDN(t *testing.T) {
	tests := []struct {
		name    string
		subject pkix.RDNSequence
		want    string
	}{
		{
			// The acceptance certificate of ehealth-protocol.md §3.
			name:    "ehealth",
			subject: ehealthSubject("79021802145", "JOHN DOE"),
			want:    `CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`,
		},
		{
			name:    "eid",
			subject: eidSubject("79021802145", "John Alice", "Doe"),
			want:    `OID.2.5.4.5=79021802145, OID.2.5.4.42=John Alice, OID.2.5.4.4=Doe, CN=John Alice Doe (Authentication), C=BE`,
		},
		{
			name:    "specials",
			subject: rdns(certtest.OIDOrganization, `A "quoted" \ name`, oidOU, "a,b", oidOU, "x+y", oidOU, "<tag>", oidOU, "#1", oidOU, "semi;colon", oidCN, "Ünïcode"),
			want:    `CN=Ünïcode, OU="semi;colon", OU="#1", OU="<tag>", OU="x+y", OU="a,b", O="A \"quoted\" \\ name"`,
		},
		{
			name:    "white space",
			subject: rdns(oidOU, " lead", oidOU, "trail ", oidOU, "two  spaces", oidOU, "one space"),
			want:    `OU=one space, OU="two  spaces", OU="trail ", OU=" lead"`,
		},
		{
			name: "multi-valued RDN",
			subject: pkix.RDNSequence{
				{{Type: certtest.OIDCountry, Value: "BE"}},
				{{Type: oidCN, Value: "Doe"}, {Type: certtest.OIDSerialNumber, Value: "1"}},
			},
			want: `OID.2.5.4.5=1 + CN=Doe, C=BE`, // DER sorts the SET
		},
		{
			name:    "non-string value",
			subject: rdns(certtest.OIDCountry, "BE", asn1.ObjectIdentifier{1, 2, 3}, 5),
			want:    `OID.1.2.3=#020105, C=BE`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := asn1.Marshal(tt.subject)
			if err != nil {
				t.Fatal(err)
			}
			got, err := formatDN(der)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("formatDN\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatDNRejectsGarbage(t *testing.T) {
	for _, der := range [][]byte{nil, {0x30}, {0x30, 0x00, 0x00}, {0x04, 0x01, 0x41}} {
		if s, err := formatDN(der); err == nil {
			t.Errorf("formatDN(%x) = %q, want an error", der, s)
		}
	}
}

func TestSameDN(t *testing.T) {
	const java = `CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`
	tests := []struct {
		a, b string
		want bool
	}{
		{java, java, true},
		// Go's pkix.Name.String(): RFC 2253, least specific last, \-escapes.
		{java, `CN=SSIN\=79021802145,OU=eHealth-platform Belgium,OU=JOHN DOE,OU=SSIN\=79021802145,O=Federal Government,C=BE`, true},
		{java, `C=BE; O=Federal Government; OU="SSIN=79021802145"; OU=JOHN DOE; OU=eHealth-platform Belgium; CN="SSIN=79021802145"`, true},
		{java, `cn="ssin=79021802145", ou=ehealth-platform belgium, ou=john doe, ou="ssin=79021802145", o=federal government, c=be`, true},
		{`SERIALNUMBER=79021802145, CN=Doe`, `OID.2.5.4.5=79021802145, CN=Doe`, true},
		{`2.5.4.5=79021802145, CN=Doe`, `OID.2.5.4.5=79021802145, CN=Doe`, true},
		{`CN=A\2CB`, `CN="A,B"`, true},
		{`OID.2.5.4.42=John, CN=Doe`, `2.5.4.42=#13044a6f686e,CN=Doe`, true},
		{`CN=#zz`, `CN=#zz`, false},
		{java, `CN="SSIN=79021802146", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`, false},
		{java, `CN="SSIN=79021802145", OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`, false},
		{`CN=Doe`, `CN=Doe, CN=Doe`, false},
		{`CN="unterminated`, `CN=unterminated`, false},
		{`NOKEY`, `NOKEY`, false},
		{`X-UNKNOWN=1`, `X-UNKNOWN=1`, false},
		{``, ``, false},
	}
	for _, tt := range tests {
		if got := sameDN(tt.a, tt.b); got != tt.want {
			t.Errorf("sameDN(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
