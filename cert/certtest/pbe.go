package certtest

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHAAnd40BitRC2CBC      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	oidSHA1                          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

// saltLen is the salt length Java's PKCS12KeyStore uses.
const saltLen = 20

// Diversifier IDs of the PKCS#12 KDF (RFC 7292 B.3).
const (
	kdfKey byte = 1
	kdfIV  byte = 2
	kdfMAC byte = 3
)

// bmpString encodes s as UTF-16BE, as Java does for passwords and
// friendlyNames (characters outside the BMP become surrogate pairs).
func bmpString(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// bmpPassword is the KDF input for password: its BMPString with the trailing
// 00 00 that RFC 7292 B.1 requires.
func bmpPassword(password string) ([]byte, error) {
	if !utf8.ValidString(password) {
		return nil, &OptionError{Field: "Password", Reason: "is not valid UTF-8"}
	}
	return append(bmpString(password), 0, 0), nil
}

// kdf is the PKCS#12 key derivation of RFC 7292 appendix B.2 with SHA-1.
// password is already BMP-encoded.
func kdf(password, salt []byte, iterations int, id byte, size int) []byte {
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

// pbeScheme is one of the two PKCS#12 password-based encryption schemes of
// real eHealth keystores.
type pbeScheme struct {
	oid      asn1.ObjectIdentifier
	keyLen   int
	newBlock func(key []byte) (cipher.Block, error)
}

var (
	// tripleDES encrypts the keys.
	tripleDES = pbeScheme{oidPBEWithSHAAnd3KeyTripleDESCBC, 24, des.NewTripleDESCipher}
	// rc2With40BitKey encrypts the certificates.
	rc2With40BitKey = pbeScheme{oidPBEWithSHAAnd40BitRC2CBC, 5, func(key []byte) (cipher.Block, error) {
		return newRC2(key, 40), nil
	}}
)

type pbeParams struct {
	Salt       []byte
	Iterations int
}

// encrypt encrypts plain under a fresh salt and returns the algorithm
// identifier to store with the ciphertext.
func (s pbeScheme) encrypt(plain, password []byte, iterations int) (pkix.AlgorithmIdentifier, []byte, error) {
	salt := randomBytes(saltLen)
	params, err := asn1.Marshal(pbeParams{Salt: salt, Iterations: iterations})
	if err != nil {
		return pkix.AlgorithmIdentifier{}, nil, &Error{Op: "encode PBE parameters", Err: err}
	}
	block, err := s.newBlock(kdf(password, salt, iterations, kdfKey, s.keyLen))
	if err != nil {
		return pkix.AlgorithmIdentifier{}, nil, &Error{Op: "init cipher", Err: err}
	}
	iv := kdf(password, salt, iterations, kdfIV, block.BlockSize())

	// PKCS#7 padding: always 1..blockSize bytes, each holding the pad length.
	n := block.BlockSize() - len(plain)%block.BlockSize()
	buf := make([]byte, len(plain), len(plain)+n)
	copy(buf, plain)
	for range n {
		buf = append(buf, byte(n))
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)

	alg := pkix.AlgorithmIdentifier{Algorithm: s.oid, Parameters: asn1.RawValue{FullBytes: params}}
	return alg, buf, nil
}

// macData is the PFX MacData: a SHA-1 HMAC keyed by the PKCS#12 KDF.
type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

func computeMAC(content, password []byte, iterations int) macData {
	salt := randomBytes(saltLen)
	h := hmac.New(sha1.New, kdf(password, salt, iterations, kdfMAC, sha1.Size))
	h.Write(content)
	return macData{
		Mac: digestInfo{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
			Digest:    h.Sum(nil),
		},
		MacSalt:    salt,
		Iterations: iterations,
	}
}

// randomBytes needs no error path: crypto/rand.Read never returns one.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
