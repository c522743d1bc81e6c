package cert

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/cert/internal/pbe"
)

// fullDecode is the reference: go-pkcs12 decrypts every part.
func fullDecode(t *testing.T, data, password []byte) (*Keystore, error) {
	t.Helper()
	blocks, err := toPEM(data, password)
	if err != nil {
		return nil, err
	}
	return assemble(blocks)
}

// legacyDecode is decodeLegacy alone; it must not fall back for what the
// eHealth Certificate Manager writes.
func legacyDecode(t *testing.T, data, password []byte) (*Keystore, error) {
	t.Helper()
	pfx, safe, err := readPFX(data)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := decodeLegacy(pfx, safe, password)
	if errors.Is(err, errNotLegacy) {
		t.Fatal("an eHealth-layout keystore went to go-pkcs12")
	}
	if err != nil {
		return nil, err
	}
	return assemble(blocks)
}

// TestLegacyMatchesGoPKCS12 holds the selective decoder to go-pkcs12's
// answer on eHealth-layout keystores: the same authentication key and
// certificate, encryption certificates and chain.
func TestLegacyMatchesGoPKCS12(t *testing.T) {
	for name, o := range map[string]certtest.Options{
		"one encryption key":   {Iterations: 10},
		"two encryption keys":  {EncryptionKeys: 2, Iterations: 10, Password: "pässwörd €"},
		"real iteration count": {Iterations: certtest.RealIterations},
	} {
		t.Run(name, func(t *testing.T) {
			f := fixture(t, o)
			pw := []byte(cmp.Or(o.Password, certtest.DefaultPassword))
			want, err := fullDecode(t, f.P12, pw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := legacyDecode(t, f.P12, pw)
			if err != nil {
				t.Fatal(err)
			}
			if !want.Key.(interface{ Equal(crypto.PrivateKey) bool }).Equal(got.Key) || !bytes.Equal(want.Cert.Raw, got.Cert.Raw) {
				t.Error("authentication key or certificate differ")
			}
			if len(got.EncryptionCerts) != len(want.EncryptionCerts) || len(got.EncryptionCerts) == 0 {
				t.Fatalf("encryption certificates: %d, go-pkcs12 %d", len(got.EncryptionCerts), len(want.EncryptionCerts))
			}
			for alias, c := range want.EncryptionCerts {
				if g := got.EncryptionCerts[alias]; g == nil || !bytes.Equal(g.Raw, c.Raw) {
					t.Errorf("encryption certificate %s differs", alias)
				}
			}
			if len(got.Chain) != len(want.Chain) || len(got.Chain) == 0 || !bytes.Equal(got.Chain[0].Raw, want.Chain[0].Raw) {
				t.Errorf("chain: %d certificates, go-pkcs12 %d", len(got.Chain), len(want.Chain))
			}
		})
	}
}

// TestLegacyChecksTheMAC: a wrong password, a changed MAC and a changed
// byte anywhere in the authenticated content are all refused as go-pkcs12
// refuses them (wrong password), and nothing decrypted is returned.
func TestLegacyChecksTheMAC(t *testing.T) {
	f := fixture(t, certtest.Options{Iterations: 10})
	pw := []byte(certtest.DefaultPassword)
	if _, err := legacyDecode(t, f.P12, []byte("not the password")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	pfx, _, _ := readPFX(f.P12)
	mac := pfx.MacData.Mac.Digest
	checked := 0
	for name, at := range map[string]int{
		"MAC digest":       bytes.Index(f.P12, mac) + 3,
		"encrypted certs":  len(f.P12) / 3,
		"key bag contents": len(f.P12) / 2,
	} {
		data := bytes.Clone(f.P12)
		data[at] ^= 0x01
		if _, _, err := readPFX(data); err != nil {
			continue // the change broke the frame: Probe's business, not the MAC's
		}
		checked++
		if _, err := legacyDecode(t, data, pw); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s changed: %v, want the MAC to refuse it", name, err)
		}
		if _, err := fullDecode(t, data, pw); err == nil {
			t.Errorf("%s changed: go-pkcs12 accepted it", name)
		}
	}
	if checked < 2 {
		t.Fatalf("only %d changes left the frame intact", checked)
	}
}

// TestLegacyLeavesOtherLayoutsToGoPKCS12: Java's trusted-certificate entry
// is not the eHealth layout; go-pkcs12 answers, with its own error.
func TestLegacyLeavesOtherLayoutsToGoPKCS12(t *testing.T) {
	f := fixture(t, certtest.Options{Iterations: 10, OracleTrustedCert: true})
	pfx, safe, err := readPFX(f.P12)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeLegacy(pfx, safe, []byte(certtest.DefaultPassword)); !errors.Is(err, errNotLegacy) {
		t.Fatalf("decodeLegacy: %v, want errNotLegacy", err)
	}
	if _, err := Decode(f.P12, []byte(certtest.DefaultPassword)); !errors.Is(err, ErrTrustedCertEntry) {
		t.Fatalf("Decode: %v, want ErrTrustedCertEntry", err)
	}
}

// BenchmarkDecodeReal decodes a keystore with eHealth's 50,000 iterations:
// the keystore part of opening a session.
func BenchmarkDecodeReal(b *testing.B) {
	f := fixture(b, certtest.Options{Iterations: certtest.RealIterations})
	pw := []byte(certtest.DefaultPassword)
	for b.Loop() {
		if _, err := Decode(f.P12, pw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRealGoPKCS12 is the same with go-pkcs12 alone, to compare.
func BenchmarkDecodeRealGoPKCS12(b *testing.B) {
	f := fixture(b, certtest.Options{Iterations: certtest.RealIterations})
	pw := []byte(certtest.DefaultPassword)
	for b.Loop() {
		if _, err := toPEM(f.P12, pw); err != nil {
			b.Fatal(err)
		}
	}
}

// manyPartsPFX is a keystore of n encrypted parts with a MAC nobody could
// make right: what a file dropped without the password may look like.
func manyPartsPFX(t *testing.T, n int) []byte {
	t.Helper()
	params, _ := asn1.Marshal(pbe.Params{Salt: []byte("saltsalt"), Iterations: maxIterations})
	var safe []contentInfo
	for range n {
		var ed encryptedContent
		ed.Info.ContentType = oidData
		ed.Info.Algorithm = pkix.AlgorithmIdentifier{Algorithm: pbe.OIDRC2With40Bit, Parameters: asn1.RawValue{FullBytes: params}}
		ed.Info.Content = make([]byte, 8)
		der, err := asn1.Marshal(ed)
		if err != nil {
			t.Fatal(err)
		}
		safe = append(safe, contentInfo{ContentType: oidEncryptedData, Content: asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: der}})
	}
	safeDER, err := asn1.Marshal(safe)
	if err != nil {
		t.Fatal(err)
	}
	octets, _ := asn1.Marshal(safeDER)
	pfx := pfxPDU{Version: 3, AuthSafe: contentInfo{ContentType: oidData, Content: asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: octets}}}
	pfx.MacData.Mac.Algorithm = pkix.AlgorithmIdentifier{Algorithm: pbe.OIDSHA1}
	pfx.MacData.Mac.Digest = make([]byte, 20)
	pfx.MacData.MacSalt = []byte("macsalt!")
	pfx.MacData.Iterations = 1
	data, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLegacyBuysNoWorkBeforeTheMAC: derivations start before the MAC is
// known, so a file of many encrypted parts (each at the iteration cap) goes
// to go-pkcs12, which checks the MAC first, instead of costing minutes.
func TestLegacyBuysNoWorkBeforeTheMAC(t *testing.T) {
	data := manyPartsPFX(t, 16)
	pfx, safe, err := readPFX(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeLegacy(pfx, safe, []byte("not the password")); !errors.Is(err, errNotLegacy) {
		t.Fatalf("decodeLegacy: %v, want errNotLegacy before any derivation", err)
	}
	if _, err := Decode(data, []byte("not the password")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Decode: %v, want the wrong password", err)
	}
}
