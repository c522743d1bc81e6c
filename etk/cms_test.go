package etk

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/errkind"
	"ehealth-tray/etk/etktest"

	"github.com/smallstep/pkcs7"
)

// opensslCMS signs the file in with `openssl cms -sign`, as an ETK-RA
// would, and returns the DER CMS; extra are more openssl arguments.
func opensslCMS(t *testing.T, in []byte, extra ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	w := fixtures(t)
	dir := t.TempDir()
	write := func(name string, blocks ...*pem.Block) string {
		var b []byte
		for _, blk := range blocks {
			b = append(b, pem.EncodeToMemory(blk)...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The CA of the fixtures stands for the ETK-RA.
	key, err := x509.MarshalPKCS8PrivateKey(w.renewed.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	inFile := filepath.Join(dir, "content")
	if err := os.WriteFile(inFile, in, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "etk.der")
	args := append([]string{"cms", "-sign", "-nodetach", "-binary", "-outform", "DER", "-md", "sha256",
		"-in", inFile, "-out", out,
		"-signer", write("ra.pem", &pem.Block{Type: "CERTIFICATE", Bytes: w.renewed.CA.Cert.Raw}),
		"-inkey", write("ra.key", &pem.Block{Type: "PRIVATE KEY", Bytes: key}),
		"-certfile", write("chain.pem", &pem.Block{Type: "CERTIFICATE", Bytes: w.renewed.AuthCert.Raw})},
		extra...)
	if b, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, b)
	}
	der, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestDecodeETKFromOpenSSL(t *testing.T) {
	enc := fixtures(t).renewed.EncCerts[0]
	for name, extra := range map[string][]string{
		"DER":                 nil,
		"BER, streamed":       {"-stream"},
		"no signed attribute": {"-noattr"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeETK(opensslCMS(t, enc.Raw, extra...))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Raw, enc.Raw) {
				t.Fatalf("decoded %v, want the encryption certificate", got.Subject)
			}
		})
	}
}

func TestDecodeETKFromSimulator(t *testing.T) {
	w := fixtures(t)
	d, err := etktest.NewDepot(etktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	der, err := d.BuildETK(w.renewed.EncCerts[0], w.renewed.AuthCert, w.renewed.CA.Cert)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeETK(der)
	if err != nil || !bytes.Equal(got.Raw, w.renewed.EncCerts[0].Raw) {
		t.Fatalf("%v, %v", got, err)
	}
	// The simulator's CMS is a real one: openssl reads it and finds the
	// certificate inside.
	if _, err := exec.LookPath("openssl"); err == nil {
		p := filepath.Join(t.TempDir(), "etk.der")
		if err := os.WriteFile(p, der, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", p).Output()
		if err != nil || !bytes.Equal(out, w.renewed.EncCerts[0].Raw) {
			t.Fatalf("openssl cms -verify: %v; content %d bytes", err, len(out))
		}
	}
}

func TestDecodeETKRefuses(t *testing.T) {
	enc := fixtures(t).renewed.EncCerts[0]
	good := opensslCMS(t, enc.Raw)
	pemCMS := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: good})
	tests := map[string][]byte{
		"empty":                        nil,
		"garbage":                      []byte("garbage"),
		"truncated":                    good[:len(good)-20],
		"PEM instead of DER":           pemCMS,
		"the certificate without CMS":  enc.Raw,
		"content is not a certificate": opensslCMS(t, []byte("Hello, this is no certificate")),
		"huge":                         append(bytes.Clone(good), make([]byte, MaxETK)...),
	}
	for name, der := range tests {
		if c, err := DecodeETK(der); errkind.Of(err) != "etk-response" {
			t.Errorf("%s: certificate %v, error %v; want an etk-response error", name, c != nil, err)
		}
	}
}

func FuzzDecodeETK(f *testing.F) {
	der := cheapETK(f)
	f.Add(der)
	f.Add(der[:100])
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeETK(data)
		if err != nil {
			if errkind.Of(err) != "etk-response" {
				t.Fatalf("error without the etk-response kind: %v", err)
			}
			return
		}
		if c == nil || len(c.Raw) == 0 {
			t.Fatal("no certificate and no error")
		}
	})
}

// cheapETK is an ETK-shaped CMS made with P-256 keys, which every fuzz
// worker can afford to build: a self-signed encryption certificate named
// like eHealth's, signed by a self-signed RA.
func cheapETK(tb testing.TB) []byte {
	tb.Helper()
	mk := func(cn string) (*ecdsa.PrivateKey, *x509.Certificate) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		c, err := certtest.SelfSigned(key, pkix.Name{CommonName: cn, OrganizationalUnit: []string{"SSIN=" + testSSIN}})
		if err != nil {
			tb.Fatal(err)
		}
		return key, c
	}
	_, enc := mk("SSIN=" + testSSIN)
	raKey, ra := mk("ETK-RA")
	sd, err := pkcs7.NewSignedData(enc.Raw)
	if err != nil {
		tb.Fatal(err)
	}
	if err := sd.AddSigner(ra, raKey, pkcs7.SignerInfoConfig{}); err != nil {
		tb.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		tb.Fatal(err)
	}
	return der
}
