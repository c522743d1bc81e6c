package cert

import (
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
)

// The aliases of a keystore's keys can be read without the password: the key
// bags sit in an unencrypted Data content, only the keys inside them are
// encrypted, and their attributes (friendlyName, localKeyId) are in clear
// (ehealth-protocol.md §11).

var (
	oidKeyBag       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidFriendlyName = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
)

// Bounds on what a hostile file may make EncryptionKeyAliases return. A
// real keystore names two or three keys; a 16-byte serial has 39 decimal
// digits.
const (
	maxAliases  = 64
	maxAliasLen = 128
)

// bagAttribute is a PKCS#12 bag attribute; Values is the raw SET.
type bagAttribute struct {
	ID     asn1.ObjectIdentifier
	Values asn1.RawValue
}

// EncryptionKeyAliases returns, without the password, the friendlyNames of
// the private keys in data other than "authentication": the aliases of the
// encryption keys, which eHealth sets to their certificates' serial numbers
// in decimal. They come in file order, each once. Names that are not BMP
// strings of printable characters are skipped. Errors wrap ErrNotKeystore,
// or ErrUnsupportedKeystore for a file naming more than 64 keys.
func EncryptionKeyAliases(data []byte) ([]string, error) {
	_, safe, err := readPFX(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotKeystore, err)
	}
	var aliases []string
	for _, ci := range safe {
		for _, bag := range plainBags(ci) {
			if !bag.ID.Equal(oidShroudedKeyBag) && !bag.ID.Equal(oidKeyBag) {
				continue
			}
			name, ok := friendlyNameOf(bag.Attributes)
			if !ok || strings.EqualFold(name, "authentication") || slices.Contains(aliases, name) {
				continue
			}
			if len(aliases) == maxAliases {
				return nil, fmt.Errorf("%w: more than %d keys", ErrUnsupportedKeystore, maxAliases)
			}
			aliases = append(aliases, name)
		}
	}
	return aliases, nil
}

// EncryptionKeyAliasesFile is EncryptionKeyAliases on a file, read with the
// same size cap as Open.
func EncryptionKeyAliasesFile(path string) ([]string, error) {
	data, err := readKeystore(path)
	if err != nil {
		return nil, err
	}
	aliases, err := EncryptionKeyAliases(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return aliases, nil
}

// plainBags returns the safe bags of an unencrypted (Data) content of the
// authenticated safe; nil for encrypted or unreadable contents.
func plainBags(ci contentInfo) []safeBag {
	if !ci.ContentType.Equal(oidData) {
		return nil
	}
	var octets []byte
	var bags []safeBag
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &octets); err != nil {
		return nil
	}
	if _, err := asn1.Unmarshal(octets, &bags); err != nil {
		return nil
	}
	return bags
}

// friendlyNameOf returns the friendlyName attribute's first value when it is
// a BMPString (as PKCS#9 requires) of at most maxAliasLen printable
// characters.
func friendlyNameOf(attrs []bagAttribute) (string, bool) {
	for _, a := range attrs {
		if !a.ID.Equal(oidFriendlyName) {
			continue
		}
		var v asn1.RawValue
		if _, err := asn1.Unmarshal(a.Values.Bytes, &v); err != nil ||
			v.Class != asn1.ClassUniversal || v.Tag != asn1.TagBMPString {
			return "", false
		}
		return decodeBMP(v.Bytes)
	}
	return "", false
}

// decodeBMP decodes a BMPString (UTF-16 big-endian), refusing odd lengths,
// over-long names and anything not printable.
func decodeBMP(b []byte) (string, bool) {
	if len(b)%2 != 0 || len(b) == 0 || len(b) > 2*maxAliasLen {
		return "", false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	s := string(utf16.Decode(u))
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }) {
		return "", false
	}
	return s, true
}
