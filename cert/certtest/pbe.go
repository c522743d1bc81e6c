package certtest

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"

	"ehealth-tray/cert/internal/pbe"
)

// saltLen is the salt length Java's PKCS12KeyStore uses.
const saltLen = 20

// bmpPassword is the derivation input for password (pbe.BMPPassword).
func bmpPassword(password string) ([]byte, error) {
	b, err := pbe.BMPPassword([]byte(password))
	if err != nil {
		return nil, &OptionError{Field: "Password", Reason: "is not valid UTF-8"}
	}
	return b, nil
}

// encrypt encrypts plain with s under a fresh salt and returns the algorithm
// identifier to store with the ciphertext.
func encrypt(s pbe.Scheme, plain, password []byte, iterations int) (pkix.AlgorithmIdentifier, []byte, error) {
	p := pbe.Params{Salt: randomBytes(saltLen), Iterations: iterations}
	params, err := asn1.Marshal(p)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, nil, &Error{Op: "encode PBE parameters", Err: err}
	}
	enc, err := s.Encrypt(plain, password, p)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, nil, &Error{Op: "encrypt", Err: err}
	}
	return pkix.AlgorithmIdentifier{Algorithm: s.OID, Parameters: asn1.RawValue{FullBytes: params}}, enc, nil
}

// macData is the PFX MacData: a SHA-1 HMAC keyed by the PKCS#12 derivation.
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
	return macData{
		Mac: digestInfo{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: pbe.OIDSHA1, Parameters: asn1.NullRawValue},
			Digest:    pbe.MAC(content, password, salt, iterations),
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
