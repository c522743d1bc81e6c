package cert

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

var (
	oidCN     = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSerial = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidC      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidL      = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidO      = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU     = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidEmail  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

func rdn(atvs ...pkix.AttributeTypeAndValue) pkix.RelativeDistinguishedNameSET { return atvs }

func attr(oid asn1.ObjectIdentifier, v any) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

func TestDN(t *testing.T) {
	tests := []struct {
		name string
		rdns pkix.RDNSequence
		want string
	}{
		{
			"eHealth subject, most specific first",
			pkix.RDNSequence{
				rdn(attr(oidC, "BE")), rdn(attr(oidO, "Federal Government")),
				rdn(attr(oidOU, "SSIN=79021802145")), rdn(attr(oidOU, "JOHN DOE")),
				rdn(attr(oidOU, "eHealth-platform Belgium")), rdn(attr(oidCN, "SSIN=79021802145")),
			},
			`CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`,
		},
		{
			"serialNumber and unknown OIDs",
			pkix.RDNSequence{rdn(attr(oidC, "BE")), rdn(attr(oidSerial, "79021802145")), rdn(attr(oidEmail, "a@b.be"))},
			`OID.1.2.840.113549.1.9.1=a@b.be, OID.2.5.4.5=79021802145, C=BE`,
		},
		{
			"multi-valued RDN, in DER SET order",
			pkix.RDNSequence{rdn(attr(oidO, "Acme"), attr(oidL, "Gent"))},
			`L=Gent + O=Acme`,
		},
		{
			"quoting and escaping",
			pkix.RDNSequence{
				rdn(attr(oidOU, " lead")), rdn(attr(oidOU, "trail ")), rdn(attr(oidOU, "two  spaces")),
				rdn(attr(oidOU, `say "hi"`)), rdn(attr(oidOU, `back\slash`)), rdn(attr(oidOU, "a,b")),
				rdn(attr(oidOU, "a+b")), rdn(attr(oidOU, "<a>")), rdn(attr(oidOU, "#1")), rdn(attr(oidOU, "a;b")),
				rdn(attr(oidOU, "one space")),
			},
			`OU=one space, OU="a;b", OU="#1", OU="<a>", OU="a+b", OU="a,b", OU="back\\slash", OU="say \"hi\"", OU="two  spaces", OU="trail ", OU=" lead"`,
		},
		{
			"non-string value as hex DER",
			pkix.RDNSequence{rdn(attr(oidOU, 7))},
			`OU=#020107`,
		},
		{"empty", pkix.RDNSequence{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := asn1.Marshal(tt.rdns)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DN(raw)
			if err != nil || got != tt.want {
				t.Errorf("DN =\n %s, %v\nwant\n %s", got, err, tt.want)
			}
		})
	}
}

func TestDNRefusesBadDER(t *testing.T) {
	raw, err := asn1.Marshal(pkix.RDNSequence{rdn(attr(oidCN, "x"))})
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated":      raw[:len(raw)-1],
		"trailing":       append(raw, 0),
		"not a SEQUENCE": {0x04, 0x00},
	} {
		if got, err := DN(bad); err == nil {
			t.Errorf("%s: DN = %q, want error", name, got)
		}
	}
}
