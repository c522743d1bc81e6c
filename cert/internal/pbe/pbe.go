// Package pbe is the password-based cryptography of legacy PKCS#12 files
// (RFC 7292), the kind every eHealth keystore is: the SHA-1 key derivation of
// appendix B, the two encryption schemes eHealth uses (3-key triple DES for
// the keys, 40-bit RC2 for the certificates) and the SHA-1 MAC. package cert
// reads keystores with it; cert/certtest writes them with it.
package pbe

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// Algorithm identifiers.
var (
	OIDTripleDES    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3} // pbeWithSHAAnd3-KeyTripleDES-CBC
	OIDRC2With40Bit = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6} // pbeWithSHAAnd40BitRC2-CBC
	OIDSHA1         = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

// Diversifier IDs of the key derivation (RFC 7292 B.3).
const (
	KeyID byte = 1
	IVID  byte = 2
	MACID byte = 3
)

// ErrPadding means a decryption ended in invalid padding: with a MAC that
// verified, a damaged file; without one, most likely the wrong password.
var ErrPadding = errors.New("pbe: invalid padding")

// ErrPasswordEncoding is a password that is not valid UTF-8.
var ErrPasswordEncoding = errors.New("pbe: password is not valid UTF-8")

// BMPString encodes s as UTF-16BE, as Java does for passwords and
// friendlyNames (characters outside the BMP become surrogate pairs).
func BMPString(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// BMPPassword is the derivation input for a UTF-8 password: its BMPString
// with the trailing 00 00 that RFC 7292 B.1 requires.
func BMPPassword(password []byte) ([]byte, error) {
	if !utf8.Valid(password) {
		return nil, ErrPasswordEncoding
	}
	return append(BMPString(string(password)), 0, 0), nil
}

// Derive is the key derivation of RFC 7292 appendix B.2 with SHA-1; password
// is already BMP-encoded (BMPPassword).
func Derive(password, salt []byte, iterations int, id byte, size int) []byte {
	const u, v = sha1.Size, 64 // SHA-1 output and block sizes

	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	in := append(repeatTo(salt, v), repeatTo(password, v)...) // I = S || P

	out := make([]byte, 0, size+u)
	for {
		h := sha1.New()
		h.Write(d)
		h.Write(in)
		var a [u]byte
		h.Sum(a[:0])
		for range iterations - 1 {
			a = sha1.Sum(a[:])
		}
		out = append(out, a[:]...)
		if len(out) >= size {
			return out[:size]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		b := repeatTo(a[:], v)
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				s := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(s)
				carry = s >> 8
			}
		}
	}
}

// repeatTo repeats p to the next multiple of v bytes (empty stays empty).
func repeatTo(p []byte, v int) []byte {
	if len(p) == 0 {
		return nil
	}
	out := make([]byte, v*((len(p)+v-1)/v))
	for i := range out {
		out[i] = p[i%len(p)]
	}
	return out
}

// Params are the parameters of both schemes (RFC 7292 appendix C).
type Params struct {
	Salt       []byte
	Iterations int
}

// Scheme is a PKCS#12 password-based encryption scheme.
type Scheme struct {
	OID      asn1.ObjectIdentifier
	keyLen   int
	newBlock func(key []byte) (cipher.Block, error)
}

var (
	// TripleDES encrypts the keys of eHealth keystores.
	TripleDES = Scheme{OIDTripleDES, 24, des.NewTripleDESCipher}
	// RC2With40Bit encrypts their certificates.
	RC2With40Bit = Scheme{OIDRC2With40Bit, 5, func(key []byte) (cipher.Block, error) {
		return NewRC2(key, 40), nil
	}}
)

// SchemeOf returns the scheme of an algorithm identifier, if it is one of
// the two.
func SchemeOf(oid asn1.ObjectIdentifier) (Scheme, bool) {
	for _, s := range []Scheme{TripleDES, RC2With40Bit} {
		if s.OID.Equal(oid) {
			return s, true
		}
	}
	return Scheme{}, false
}

// cipher derives the key and the IV, at the same time: each is a full run
// of the iterated derivation, and they do not depend on each other.
func (s Scheme) cipher(password []byte, p Params) (cipher.Block, []byte, error) {
	ivc := make(chan []byte, 1)
	go func() { ivc <- Derive(password, p.Salt, p.Iterations, IVID, 8) }()
	block, err := s.newBlock(Derive(password, p.Salt, p.Iterations, KeyID, s.keyLen))
	iv := <-ivc
	return block, iv, err
}

// Encrypt encrypts plain with PKCS#7 padding.
func (s Scheme) Encrypt(plain, password []byte, p Params) ([]byte, error) {
	block, iv, err := s.cipher(password, p)
	if err != nil {
		return nil, err
	}
	// PKCS#7 padding: always 1..blockSize bytes, each holding the pad length.
	n := block.BlockSize() - len(plain)%block.BlockSize()
	buf := make([]byte, len(plain), len(plain)+n)
	copy(buf, plain)
	for range n {
		buf = append(buf, byte(n))
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return buf, nil
}

// Decrypt decrypts and unpads what Encrypt wrote.
func (s Scheme) Decrypt(enc, password []byte, p Params) ([]byte, error) {
	block, iv, err := s.cipher(password, p)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(enc) == 0 || len(enc)%bs != 0 {
		return nil, ErrPadding
	}
	out := make([]byte, len(enc))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, enc)
	n := int(out[len(out)-1])
	if n == 0 || n > bs {
		return nil, ErrPadding
	}
	for _, b := range out[len(out)-n:] {
		if int(b) != n {
			return nil, ErrPadding
		}
	}
	return out[:len(out)-n], nil
}

// MAC is the PFX MAC of content: an HMAC-SHA-1 keyed by the derivation.
func MAC(content, password, salt []byte, iterations int) []byte {
	h := hmac.New(sha1.New, Derive(password, salt, iterations, MACID, sha1.Size))
	h.Write(content)
	return h.Sum(nil)
}
