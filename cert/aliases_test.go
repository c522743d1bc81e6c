package cert

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"ehealth-tray/cert/certtest"
)

func TestEncryptionKeyAliasesWithoutPassword(t *testing.T) {
	f := fixture(t, certtest.Options{EncryptionKeys: 2, Password: "not given to the reader"})
	got, err := EncryptionKeyAliases(f.P12)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range f.EncCerts {
		want = append(want, c.SerialNumber.String())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("aliases %q, want the decimal serials %q (authentication left out)", got, want)
	}

	path := filepath.Join(t.TempDir(), "ks.p12")
	if err := os.WriteFile(path, f.P12, 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := EncryptionKeyAliasesFile(path)
	if err != nil || !slices.Equal(fromFile, want) {
		t.Fatalf("from file: %q, %v", fromFile, err)
	}
}

// TestEncryptionKeyAliasesOpenSSL reads a file written by another program:
// openssl pkcs12 -export puts the shrouded key bag in a plain Data content too.
func TestEncryptionKeyAliasesOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	crt := testCert(t, key, "openssl")
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out := filepath.Join(dir, "o.p12")
	cmd := exec.Command("openssl", "pkcs12", "-export", "-name", "170141183460469231731687303715884105727",
		"-inkey", write("k.pem", "PRIVATE KEY", keyDER), "-in", write("c.pem", "CERTIFICATE", crt.Raw),
		"-passout", "pass:secret", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncryptionKeyAliases(data)
	if err != nil || !slices.Equal(got, []string{"170141183460469231731687303715884105727"}) {
		t.Fatalf("aliases %q, %v", got, err)
	}
}

// Hand-built PKCS#12 frames, to put odd names where a hostile file would.
type (
	testAttr struct {
		ID     asn1.ObjectIdentifier
		Values []asn1.RawValue `asn1:"set"`
	}
	testBag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
		Attrs []testAttr `asn1:"set"`
	}
)

func bmp(s string) asn1.RawValue {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return asn1.RawValue{Tag: asn1.TagBMPString, Bytes: b}
}

// pfxWithNames is a PFX whose one Data content holds a shrouded key bag per
// name (the key itself is junk: nothing decrypts it).
func pfxWithNames(t *testing.T, names ...asn1.RawValue) []byte {
	t.Helper()
	mustMarshal := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	explicit := func(der []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
	}
	var bags []testBag
	for _, n := range names {
		bags = append(bags, testBag{
			ID:    oidShroudedKeyBag,
			Value: explicit(mustMarshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true})),
			Attrs: []testAttr{{ID: oidFriendlyName, Values: []asn1.RawValue{n}}},
		})
	}
	type ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue
	}
	safe := mustMarshal([]ci{{oidData, explicit(mustMarshal(mustMarshal(bags)))}})
	return mustMarshal(struct {
		Version  int
		AuthSafe ci
	}{3, ci{oidData, explicit(mustMarshal(safe))}})
}

func TestEncryptionKeyAliasesHostile(t *testing.T) {
	utf8Name := asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte("12345")}
	oddBMP := asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0, '1', 0}}
	got, err := EncryptionKeyAliases(pfxWithNames(t,
		bmp("123"), bmp("Authentication"), bmp("123"), bmp("12\x1b[2J"), utf8Name, oddBMP,
		bmp(strings.Repeat("9", maxAliasLen+1)), bmp("456")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"123", "456"}) {
		t.Fatalf("aliases %q: want the printable BMP names once, without authentication", got)
	}

	many := make([]asn1.RawValue, maxAliases+1)
	for i := range many {
		many[i] = bmp(strings.Repeat("1", i+1))
	}
	if _, err := EncryptionKeyAliases(pfxWithNames(t, many...)); !errors.Is(err, ErrUnsupportedKeystore) {
		t.Fatalf("%d keys: %v, want ErrUnsupportedKeystore", len(many), err)
	}
	if got, err := EncryptionKeyAliases(pfxWithNames(t, many[:maxAliases]...)); err != nil || len(got) != maxAliases {
		t.Fatalf("%d keys: %d aliases, %v", maxAliases, len(got), err)
	}
}

func TestEncryptionKeyAliasesNotAKeystore(t *testing.T) {
	f := fixture(t, certtest.Options{})
	for name, data := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("not a keystore at all"),
		"truncated": f.P12[:len(f.P12)-10],
	} {
		if _, err := EncryptionKeyAliases(data); !errors.Is(err, ErrNotKeystore) {
			t.Errorf("%s: %v, want ErrNotKeystore", name, err)
		}
	}
	if _, err := EncryptionKeyAliasesFile(filepath.Join(t.TempDir(), "missing.p12")); !errors.Is(err, ErrRead) {
		t.Errorf("missing file: %v, want ErrRead", err)
	}
}

func FuzzEncryptionKeyAliases(f *testing.F) {
	f.Add(fuzzSeed(f))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03})
	f.Fuzz(func(t *testing.T, data []byte) {
		aliases, err := EncryptionKeyAliases(data)
		if err != nil {
			if !errors.Is(err, ErrNotKeystore) && !errors.Is(err, ErrUnsupportedKeystore) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(aliases) > maxAliases {
			t.Fatalf("%d aliases", len(aliases))
		}
		for _, a := range aliases {
			if len(a) == 0 || strings.EqualFold(a, "authentication") {
				t.Fatalf("alias %q", a)
			}
		}
	})
}
