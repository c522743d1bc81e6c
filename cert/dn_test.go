package cert

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"ehealth-tray/cert/certtest"
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
				rdn(attr(certtest.OIDCountry, "BE")), rdn(attr(certtest.OIDOrganization, "Federal Government")),
				rdn(attr(certtest.OIDOrgUnit, "SSIN=79021802145")), rdn(attr(certtest.OIDOrgUnit, "JOHN DOE")),
				rdn(attr(certtest.OIDOrgUnit, "eHealth-platform Belgium")), rdn(attr(certtest.OIDCommonName, "SSIN=79021802145")),
			},
			`CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`,
		},
		{
			"serialNumber and unknown OIDs",
			pkix.RDNSequence{rdn(attr(certtest.OIDCountry, "BE")), rdn(attr(certtest.OIDSerialNumber, "79021802145")), rdn(attr(certtest.OIDEmail, "a@b.be"))},
			`OID.1.2.840.113549.1.9.1=a@b.be, OID.2.5.4.5=79021802145, C=BE`,
		},
		{
			"multi-valued RDN, in DER SET order",
			pkix.RDNSequence{rdn(attr(certtest.OIDOrganization, "Acme"), attr(certtest.OIDLocality, "Gent"))},
			`L=Gent + O=Acme`,
		},
		{
			"quoting and escaping",
			pkix.RDNSequence{
				rdn(attr(certtest.OIDOrgUnit, " lead")), rdn(attr(certtest.OIDOrgUnit, "trail ")), rdn(attr(certtest.OIDOrgUnit, "two  spaces")),
				rdn(attr(certtest.OIDOrgUnit, `say "hi"`)), rdn(attr(certtest.OIDOrgUnit, `back\slash`)), rdn(attr(certtest.OIDOrgUnit, "a,b")),
				rdn(attr(certtest.OIDOrgUnit, "a+b")), rdn(attr(certtest.OIDOrgUnit, "<a>")), rdn(attr(certtest.OIDOrgUnit, "#1")), rdn(attr(certtest.OIDOrgUnit, "a;b")),
				rdn(attr(certtest.OIDOrgUnit, "one space")),
			},
			`OU=one space, OU="a;b", OU="#1", OU="<a>", OU="a+b", OU="a,b", OU="back\\slash", OU="say \"hi\"", OU="two  spaces", OU="trail ", OU=" lead"`,
		},
		{
			"non-string value as hex DER",
			pkix.RDNSequence{rdn(attr(certtest.OIDOrgUnit, 7))},
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
	raw, err := asn1.Marshal(pkix.RDNSequence{rdn(attr(certtest.OIDCommonName, "x"))})
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
