package certtest

import "encoding/asn1"

// The X.520 attribute types of the names in eHealth and eID certificates,
// for tests that build a name attribute by attribute (pkix.Name's typed
// fields do not keep the order).
var (
	OIDCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	OIDSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	OIDCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality     = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	OIDGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
	OIDEmail        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)
