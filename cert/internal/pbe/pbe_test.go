package pbe

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// The expected values were checked with
// `openssl kdf -kdfopt digest:SHA1 -kdfopt hexpass:... PKCS12KDF`.
func TestKDFVectors(t *testing.T) {
	for _, tc := range []struct {
		password, salt string
		want           string
	}{
		{"sesame", "ffffffffffffffff", "7cd9fd3e2b3be7691a44e3bef0f9ea0fb9b897d4e325d9d1"},
		// I_j gets a leading zero byte here, which once broke go-pkcs12.
		{"", "f37e05b518324b4b", "00f759ff47d14dd03665d5943cb3c4a39a2555c02aed66e1"},
	} {
		password, err := BMPPassword([]byte(tc.password))
		if err != nil {
			t.Fatal(err)
		}
		salt, _ := hex.DecodeString(tc.salt)
		if got := hex.EncodeToString(Derive(password, salt, 2048, KeyID, 24)); got != tc.want {
			t.Errorf("kdf(%q, %s) = %s, want %s", tc.password, tc.salt, got, tc.want)
		}
	}
}

// TestKDFMatchesOpenSSL compares random derivations with OpenSSL's own
// PKCS12KDF, over several output blocks so that the I_j update is exercised.
func TestKDFMatchesOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	for _, tc := range []struct {
		password   string
		saltLen    int
		iterations int
		id         byte
		size       int
	}{
		{"test", 8, 1, KeyID, 24},
		{"pässwörd €", 20, 2048, IVID, 8},
		{"", 20, 100, MACID, 20},
		{strings.Repeat("long password ", 10), 70, 3, KeyID, 100},
	} {
		password, err := BMPPassword([]byte(tc.password))
		if err != nil {
			t.Fatal(err)
		}
		salt := randomBytes(tc.saltLen)
		out := openssl(t, nil, "kdf", "-keylen", fmt.Sprint(tc.size),
			"-kdfopt", "digest:SHA1",
			"-kdfopt", "hexpass:"+hex.EncodeToString(password),
			"-kdfopt", "hexsalt:"+hex.EncodeToString(salt),
			"-kdfopt", fmt.Sprint("iter:", tc.iterations),
			"-kdfopt", fmt.Sprint("id:", tc.id),
			"PKCS12KDF")
		want := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(out), ":", ""))
		if got := hex.EncodeToString(Derive(password, salt, tc.iterations, tc.id, tc.size)); got != want {
			t.Errorf("%+v: kdf = %s, openssl = %s", tc, got, want)
		}
	}
}

// RFC 2268 section 5.
func TestRC2Vectors(t *testing.T) {
	for _, tc := range []struct {
		key, plain, cipher string
		bits               int
	}{
		{"0000000000000000", "0000000000000000", "ebb773f993278eff", 63},
		{"ffffffffffffffff", "ffffffffffffffff", "278b27e42e2f0d49", 64},
		{"3000000000000000", "1000000000000001", "30649edf9be7d2c2", 64},
		{"88", "0000000000000000", "61a8a244adacccf0", 64},
		{"88bca90e90875a", "0000000000000000", "6ccf4308974c267f", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "1a807d272bbe5db1", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "2269552ab0f85ca6", 128},
		{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", "0000000000000000", "5b78d3a43dfff1f1", 129},
	} {
		key, _ := hex.DecodeString(tc.key)
		plain, _ := hex.DecodeString(tc.plain)
		c := NewRC2(key, tc.bits)
		got := make([]byte, 8)
		c.Encrypt(got, plain)
		if hex.EncodeToString(got) != tc.cipher {
			t.Errorf("key %s/%d bits: Encrypt = %x, want %s", tc.key, tc.bits, got, tc.cipher)
		}
		c.Decrypt(got, got)
		if !bytes.Equal(got, plain) {
			t.Errorf("key %s/%d bits: Decrypt = %x, want %s", tc.key, tc.bits, got, tc.plain)
		}
	}
}

// TestRC2With40BitKeyMatchesOpenSSL checks the exact mode PKCS#12 uses
// (5-byte key, 40 effective bits, CBC) against `openssl enc -rc2-40-cbc`.
func TestRC2With40BitKeyMatchesOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	key, iv, plain := randomBytes(5), randomBytes(8), randomBytes(64)
	want := openssl(t, plain, "enc", "-rc2-40-cbc", "-nopad",
		"-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv),
		"-provider", "legacy", "-provider", "default")
	got := make([]byte, len(plain))
	cipher.NewCBCEncrypter(NewRC2(key, 40), iv).CryptBlocks(got, plain)
	if !bytes.Equal(got, []byte(want)) {
		t.Errorf("RC2-40-CBC = %x, openssl = %x", got, want)
	}
}

// TestPBERoundTrip decrypts by hand with the derived key and IV, checks the
// PKCS#7 padding for lengths around a block, and that Decrypt inverts Encrypt.
func TestPBERoundTrip(t *testing.T) {
	password, _ := BMPPassword([]byte("test"))
	p := Params{Salt: randomBytes(20), Iterations: 10}
	for _, n := range []int{0, 1, 7, 8, 9} {
		plain := randomBytes(n)
		enc, err := TripleDES.Encrypt(plain, password, p)
		if err != nil {
			t.Fatal(err)
		}
		block, err := des.NewTripleDESCipher(Derive(password, p.Salt, 10, KeyID, 24))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(enc))
		cipher.NewCBCDecrypter(block, Derive(password, p.Salt, 10, IVID, 8)).CryptBlocks(got, enc)
		pad := 8 - n%8
		if want := append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...); !bytes.Equal(got, want) {
			t.Errorf("%d bytes: decrypted %x, want %x", n, got, want)
		}
		dec, err := TripleDES.Decrypt(enc, password, p)
		if err != nil || !bytes.Equal(dec, plain) {
			t.Errorf("%d bytes: Decrypt = %x, %v; want %x", n, dec, err, plain)
		}
	}
}

// TestDecryptRefusesBadPadding: a wrong password never gives back the
// plaintext (it fails the padding check, or rarely yields garbage), and a
// ciphertext that is not whole blocks is refused outright.
func TestDecryptRefusesBadPadding(t *testing.T) {
	password, _ := BMPPassword([]byte("right"))
	wrong, _ := BMPPassword([]byte("wrong"))
	p := Params{Salt: randomBytes(20), Iterations: 3}
	plain := randomBytes(100)
	enc, err := RC2With40Bit.Encrypt(plain, password, p)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := RC2With40Bit.Decrypt(enc, wrong, p); err == nil && bytes.Equal(got, plain) {
		t.Error("the wrong password decrypted the plaintext")
	}
	if _, err := RC2With40Bit.Decrypt(enc[:len(enc)-1], password, p); !errors.Is(err, ErrPadding) {
		t.Errorf("truncated ciphertext: %v, want ErrPadding", err)
	}
	if _, err := RC2With40Bit.Decrypt(nil, password, p); !errors.Is(err, ErrPadding) {
		t.Errorf("empty ciphertext: %v, want ErrPadding", err)
	}
	if _, err := BMPPassword([]byte{0xff}); !errors.Is(err, ErrPasswordEncoding) {
		t.Errorf("invalid UTF-8 password: %v", err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func requireOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
}

// openssl runs openssl with stdin and returns its stdout.
func openssl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "openssl", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// BenchmarkDerive is one derivation at eHealth's 50,000 iterations.
func BenchmarkDerive(b *testing.B) {
	password, _ := BMPPassword([]byte("password"))
	salt := randomBytes(20)
	for b.Loop() {
		Derive(password, salt, 50000, KeyID, 24)
	}
}
