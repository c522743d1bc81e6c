package cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/errkind"
)

const testSSIN = "79021802145"

// RSA-2048 generation is slow: the tests share these keys and CAs.
var shared = sync.OnceValues(func() (*testKeys, error) {
	k := &testKeys{}
	for _, p := range []**rsa.PrivateKey{&k.auth, &k.enc1, &k.enc2} {
		var err error
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	var err error
	if k.prodCA, err = certtest.NewCA(false); err != nil {
		return nil, err
	}
	if k.accCA, err = certtest.NewCA(true); err != nil {
		return nil, err
	}
	return k, nil
})

type testKeys struct {
	auth, enc1, enc2 *rsa.PrivateKey
	prodCA, accCA    *certtest.CA
}

// fixture builds a keystore with the shared keys; o's SSIN, CA, keys and
// iterations are filled in when zero.
func fixture(t testing.TB, o certtest.Options) *certtest.Fixture {
	t.Helper()
	k, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	if o.SSIN == "" {
		o.SSIN = testSSIN
	}
	if o.CA == nil {
		o.CA = k.prodCA
		if o.Acceptance {
			o.CA = k.accCA
		}
	}
	if o.AuthKey == nil {
		o.AuthKey = k.auth
	}
	if o.EncKeys == nil {
		o.EncKeys = []*rsa.PrivateKey{k.enc1, k.enc2}[:max(1, o.EncryptionKeys)]
	}
	f, err := certtest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDecode(t *testing.T) {
	f := fixture(t, certtest.Options{EncryptionKeys: 2, Iterations: certtest.RealIterations})
	ks, err := Decode(f.P12, []byte(certtest.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}

	if !f.AuthKey.Equal(ks.Key) {
		t.Error("Key is not the authentication key")
	}
	if !bytes.Equal(ks.Cert.Raw, f.AuthCert.Raw) {
		t.Errorf("Cert is %v, want the authentication certificate", ks.Cert.Subject)
	}

	if len(ks.EncryptionCerts) != 2 {
		t.Fatalf("%d encryption certificates; want 2", len(ks.EncryptionCerts))
	}
	for i, c := range f.EncCerts {
		name := c.SerialNumber.String() // friendlyName is the decimal serial
		got := ks.EncryptionCerts[name]
		if got != nil && !f.EncKeys[i].PublicKey.Equal(got.PublicKey) {
			t.Errorf("EncryptionCerts[%s] is not encryption key %d's", name, i)
		}
		if got == nil || !bytes.Equal(got.Raw, c.Raw) {
			t.Fatalf("EncryptionCerts[%s] is not encryption certificate %d", name, i)
		}
		// Self-signed: its own key signed it (CheckSignatureFrom would want a CA).
		if err := got.CheckSignature(got.SignatureAlgorithm, got.RawTBSCertificate, got.Signature); err != nil ||
			!bytes.Equal(got.RawIssuer, got.RawSubject) {
			t.Errorf("encryption certificate %d is not self-signed: %v", i, err)
		}
	}

	// The CA is in the file twice (the chain bag and a bag named by DN).
	if len(ks.Chain) != 1 || !bytes.Equal(ks.Chain[0].Raw, f.CA.Cert.Raw) {
		t.Errorf("Chain = %d certificates, want the CA once", len(ks.Chain))
	}

	want := Identity{
		SSIN:        testSSIN,
		Holder:      "JOHN DOE",
		Environment: Production,
		Subject:     `CN="SSIN=79021802145", OU=eHealth-platform Belgium, OU=JOHN DOE, OU="SSIN=79021802145", O=Federal Government, C=BE`,
		Issuer:      "CN=eHealth-platform Belgium CA, O=Federal Government, C=BE",
		NotBefore:   f.AuthCert.NotBefore,
		NotAfter:    f.AuthCert.NotAfter,
	}
	if ks.Identity != want {
		t.Errorf("Identity =\n %+v\nwant\n %+v", ks.Identity, want)
	}
	if ks.Path != "" {
		t.Errorf("Path = %q, want empty for Decode", ks.Path)
	}
}

func TestDecodeAcceptance(t *testing.T) {
	f := fixture(t, certtest.Options{Acceptance: true})
	ks, err := Decode(f.P12, []byte(certtest.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}
	if ks.Identity.Environment != Acceptance {
		t.Errorf("Environment = %q for issuer %q, want acceptance", ks.Identity.Environment, ks.Identity.Issuer)
	}
}

func TestDecodeExpired(t *testing.T) {
	now := time.Now()
	f := fixture(t, certtest.Options{NotBefore: now.AddDate(-4, 0, 0), NotAfter: now.AddDate(-1, 0, 0)})
	ks, err := Decode(f.P12, []byte(certtest.DefaultPassword))
	if err != nil {
		t.Fatalf("an expired keystore must still decode: %v", err)
	}
	id := ks.Identity
	if got := StatusAt(id.NotBefore, id.NotAfter, now, DefaultRenewWindow); got != StatusExpired {
		t.Errorf("status = %q, want expired", got)
	}
	if d := DaysLeft(id.NotAfter, now); d > -365 || d < -367 {
		t.Errorf("DaysLeft = %d, want about -366", d)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := fixture(t, certtest.Options{})
	trusted := fixture(t, certtest.Options{OracleTrustedCert: true})
	random := make([]byte, len(good.P12))
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		data     []byte
		password string
		want     error
		kind     string
	}{
		{"wrong password", good.P12, "wrong", ErrWrongPassword, "wrong-password"},
		{"empty password", good.P12, "", ErrWrongPassword, "wrong-password"},
		{"truncated", good.P12[:len(good.P12)/2], certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"last byte missing", good.P12[:len(good.P12)-1], certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"trailing byte", append(bytes.Clone(good.P12), 0), certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"random bytes", random, certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"empty", nil, certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"PEM text", []byte("-----BEGIN CERTIFICATE-----\n"), certtest.DefaultPassword, ErrNotKeystore, "not-a-keystore"},
		{"Java trusted-certificate entry", trusted.P12, certtest.DefaultPassword, ErrTrustedCertEntry, "unsupported-keystore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := Decode(tt.data, []byte(tt.password))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want %v", ks, err, tt.want)
			}
			if k := errkind.Of(err); k != tt.kind {
				t.Errorf("kind = %q, want %q", k, tt.kind)
			}
		})
	}
}

// Every prefix of a keystore, as a watcher may see while it is written, is
// refused before any key derivation.
func TestProbeAndDecodeRefuseEveryPrefix(t *testing.T) {
	p12 := fixture(t, certtest.Options{}).P12
	if err := Probe(p12); err != nil {
		t.Fatalf("Probe(complete file) = %v", err)
	}
	for n := range len(p12) {
		if err := Probe(p12[:n]); !errors.Is(err, ErrNotKeystore) {
			t.Fatalf("Probe(first %d of %d bytes) = %v, want ErrNotKeystore", n, len(p12), err)
		}
		if _, err := Decode(p12[:n], []byte(certtest.DefaultPassword)); !errors.Is(err, ErrNotKeystore) {
			t.Fatalf("Decode(first %d of %d bytes) = %v, want ErrNotKeystore", n, len(p12), err)
		}
	}
}

func TestDecodeRefusesHugeIterationCount(t *testing.T) {
	p12 := fixture(t, certtest.Options{}).P12
	pfx, _, err := readPFX(p12)
	if err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 1 << 30
	bad, err := asn1.Marshal(*pfx)
	if err != nil {
		t.Fatal(err)
	}
	if err := Probe(bad); err != nil {
		t.Fatalf("Probe = %v; the file is well-formed", err)
	}
	if _, err := Decode(bad, []byte(certtest.DefaultPassword)); !errors.Is(err, ErrUnsupportedKeystore) {
		t.Errorf("Decode = %v, want ErrUnsupportedKeystore", err)
	}
}

func TestIterationsOf(t *testing.T) {
	mustMarshal := func(v any) []byte {
		der, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	pbe := pkix.AlgorithmIdentifier{
		Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3},
		Parameters: asn1.RawValue{FullBytes: mustMarshal(struct {
			Salt       []byte
			Iterations int
		}{[]byte("salt"), 50000})},
	}
	kdf := pkix.AlgorithmIdentifier{
		Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12},
		Parameters: asn1.RawValue{FullBytes: mustMarshal(struct {
			Salt       []byte
			Iterations int
			KeyLength  int
		}{[]byte("salt"), 600000, 32})},
	}
	aes := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}}
	pbes2 := pkix.AlgorithmIdentifier{
		Algorithm:  oidPBES2,
		Parameters: asn1.RawValue{FullBytes: mustMarshal(struct{ KDF, Enc pkix.AlgorithmIdentifier }{kdf, aes})},
	}
	garbled := pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: []byte{0x30, 0x05}}}
	for alg, want := range map[*pkix.AlgorithmIdentifier]int{&pbe: 50000, &pbes2: 600000, &garbled: 0} {
		if got := iterationsOf(*alg); got != want {
			t.Errorf("iterationsOf(%v) = %d, want %d", alg.Algorithm, got, want)
		}
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	created := time.Date(2024, 11, 28, 14, 30, 5, 0, time.Local)
	f := fixture(t, certtest.Options{Acceptance: true})
	path, err := f.WriteFile(dir, created)
	if err != nil {
		t.Fatal(err)
	}
	// An old mtime, so that a rewrite within the same clock tick still shows.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	ks, err := Open(path, []byte(certtest.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}
	if ks.Path != path || ks.Identity.SSIN != testSSIN || ks.Identity.Environment != Acceptance {
		t.Errorf("Open = Path %q, Identity %+v", ks.Path, ks.Identity)
	}
	_, err = Open(path, []byte("wrong"))
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("Open with a wrong password = %v, want ErrWrongPassword", err)
	}

	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, f.P12) || !after.ModTime().Equal(before.ModTime()) ||
		after.Mode() != before.Mode() || after.Size() != before.Size() {
		t.Errorf("Open modified the keystore: mtime %v -> %v, mode %v -> %v, content same: %v",
			before.ModTime(), after.ModTime(), before.Mode(), after.Mode(), bytes.Equal(data, f.P12))
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	random := filepath.Join(dir, "SSIN=79021802145 20241128-143005.p12")
	noise := make([]byte, 3000)
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(random, noise, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.p12")
	if err := os.WriteFile(huge, make([]byte, maxKeystoreSize+1), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Open(filepath.Join(dir, "missing.p12"), []byte("x"))
	if !errors.Is(err, ErrRead) || !errors.Is(err, fs.ErrNotExist) || errkind.Of(err) != "read-error" {
		t.Errorf("missing file: %v (kind %q), want ErrRead wrapping fs.ErrNotExist", err, errkind.Of(err))
	}
	if _, err := Open(dir, []byte("x")); !errors.Is(err, ErrRead) {
		t.Errorf("folder: %v, want ErrRead", err)
	}
	if _, err := Open(random, []byte("x")); !errors.Is(err, ErrNotKeystore) || errkind.Of(err) != "not-a-keystore" {
		t.Errorf("random bytes named .p12: %v (kind %q), want ErrNotKeystore", err, errkind.Of(err))
	}
	if _, err := Open(huge, []byte("x")); !errors.Is(err, ErrNotKeystore) {
		t.Errorf("file over the size limit: %v, want ErrNotKeystore", err)
	}
}

// The PEM-level tests below check what certtest cannot make: keys that are
// not RSA, misleading names and orders, and missing pieces.

// testCert makes a certificate for key, self-signed.
func testCert(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	c, err := certtest.SelfSigned(key, pkix.Name{CommonName: cn})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyBlock(t *testing.T, der []byte, name, id string) *pem.Block {
	t.Helper()
	return &pem.Block{Type: "PRIVATE KEY", Bytes: der, Headers: map[string]string{"friendlyName": name, "localKeyId": id}}
}

func certBlock(c *x509.Certificate, name, id string) *pem.Block {
	h := map[string]string{}
	if name != "" {
		h["friendlyName"] = name
	}
	if id != "" {
		h["localKeyId"] = id
	}
	return &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw, Headers: h}
}

func TestAssemblePairsByLocalKeyID(t *testing.T) {
	authKey, encKey := ecKey(t), ecKey(t)
	authCert, encCert := testCert(t, authKey, "auth"), testCert(t, encKey, "enc")
	authDER, err := x509.MarshalECPrivateKey(authKey) // SEC1, as ToPEM writes EC keys
	if err != nil {
		t.Fatal(err)
	}
	encDER, err := x509.MarshalPKCS8PrivateKey(encKey)
	if err != nil {
		t.Fatal(err)
	}
	// The certificate bags carry misleading friendlyNames and come in the
	// other order: only localKeyId pairs them.
	ks, err := assemble([]*pem.Block{
		certBlock(encCert, "authentication", "01"),
		certBlock(authCert, "1234", "02"),
		keyBlock(t, authDER, "authentication", "02"),
		keyBlock(t, encDER, "1234", "01"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !authKey.Equal(ks.Key) || !bytes.Equal(ks.Cert.Raw, authCert.Raw) {
		t.Errorf("authentication pair wrong: cert %v", ks.Cert.Subject)
	}
	if !bytes.Equal(ks.EncryptionCerts["1234"].Raw, encCert.Raw) {
		t.Error("encryption pair wrong")
	}
	if len(ks.Chain) != 0 {
		t.Errorf("Chain has %d certificates, want none", len(ks.Chain))
	}
}

func TestAssembleNamesUnnamedKeyBySerial(t *testing.T) {
	authKey, encKey := ecKey(t), ecKey(t)
	encCert := testCert(t, encKey, "enc")
	authDER, _ := x509.MarshalECPrivateKey(authKey)
	encDER, _ := x509.MarshalECPrivateKey(encKey)
	ks, err := assemble([]*pem.Block{
		certBlock(testCert(t, authKey, "auth"), "", "aa"),
		certBlock(encCert, "", "bb"),
		keyBlock(t, authDER, "Authentication", "aa"),
		keyBlock(t, encDER, "", "bb"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks.EncryptionCerts[encCert.SerialNumber.String()]; !ok {
		t.Errorf("encryption certificates %v, want one under the serial %s", ks.EncryptionCerts, encCert.SerialNumber)
	}
}

func TestAssembleErrors(t *testing.T) {
	authKey, other := ecKey(t), ecKey(t)
	authCert := testCert(t, authKey, "auth")
	authDER, _ := x509.MarshalECPrivateKey(authKey)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	tests := []struct {
		name   string
		blocks []*pem.Block
		want   error
	}{
		{"no keys", []*pem.Block{certBlock(authCert, "", "01")}, ErrNoAuthenticationKey},
		{"only an encryption key", []*pem.Block{certBlock(authCert, "", "01"), keyBlock(t, authDER, "1234", "01")}, ErrNoAuthenticationKey},
		{"no certificate with its localKeyId", []*pem.Block{certBlock(authCert, "", "01"), keyBlock(t, authDER, "authentication", "02")}, ErrNoAuthenticationKey},
		{"no localKeyId", []*pem.Block{certBlock(authCert, "", ""), keyBlock(t, authDER, "authentication", "")}, ErrNoAuthenticationKey},
		{"certificate for another key", []*pem.Block{certBlock(testCert(t, other, "x"), "", "01"), keyBlock(t, authDER, "authentication", "01")}, ErrNoAuthenticationKey},
		{"two authentication keys", []*pem.Block{certBlock(authCert, "", "01"), keyBlock(t, authDER, "authentication", "01"), keyBlock(t, authDER, "authentication", "01")}, ErrUnsupportedKeystore},
		{"key in no known format", []*pem.Block{keyBlock(t, []byte{0x30, 0x00}, "authentication", "01")}, ErrUnsupportedKeystore},
		{"unparsable certificate", []*pem.Block{{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x00}}}, ErrUnsupportedKeystore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := assemble(tt.blocks); !errors.Is(err, tt.want) {
				t.Errorf("assemble = %v, want %v", err, tt.want)
			}
		})
	}
	// Ed25519 in PKCS#8 is read, and usable as the authentication key.
	edCert := testCert(t, edKey, "ed")
	ks, err := assemble([]*pem.Block{certBlock(edCert, "", "01"), keyBlock(t, edDER, "authentication", "01")})
	if err != nil || !edKey.Equal(ks.Key) {
		t.Errorf("Ed25519 PKCS#8 key: %v", err)
	}
}

func TestParsePrivateKeyFormats(t *testing.T) {
	k, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	ec := ecKey(t)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	pkcs8EC, _ := x509.MarshalPKCS8PrivateKey(ec)
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(k.auth)
	for name, c := range map[string]struct {
		der  []byte
		want crypto.PrivateKey
	}{
		"PKCS#1 RSA": {x509.MarshalPKCS1PrivateKey(k.auth), k.auth},
		"PKCS#8 RSA": {pkcs8RSA, k.auth},
		"SEC1 EC":    {sec1, ec},
		"PKCS#8 EC":  {pkcs8EC, ec},
	} {
		got, err := parsePrivateKey(c.der)
		eq, _ := c.want.(interface{ Equal(crypto.PrivateKey) bool })
		if err != nil || eq == nil || !eq.Equal(got) {
			t.Errorf("%s: parsePrivateKey = %T, %v", name, got, err)
		}
	}
}

func TestIdentityOf(t *testing.T) {
	// A certificate whose issuer has no CN: the file name decides.
	key := ecKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject: pkix.Name{
			CommonName:         "SSIN=79021802145",
			OrganizationalUnit: []string{"Federal Government", "MARIE DUPONT", "ehealth-platform belgium"},
		},
		NotBefore: time.Now(),
		NotAfter:  time.Now().Add(time.Hour),
	}
	issuer := &x509.Certificate{Subject: pkix.Name{Organization: []string{"No CN"}}}
	c, err := certtest.CreateCertificate(tmpl, issuer, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"SSIN=79021802145 20241128-143005.acc-p12": Acceptance,
		"SSIN=79021802145 20241128-143005.ACC.P12": Acceptance,
		"SSIN=79021802145 20241128-143005.p12":     Production,
		"":                                         Production,
	} {
		id := IdentityOf(c, name)
		if id.Environment != want || id.SSIN != testSSIN || id.Holder != "MARIE DUPONT" || id.Issuer != "O=No CN" {
			t.Errorf("IdentityOf(_, %q) = %+v, want %s", name, id, want)
		}
	}
	if id := IdentityOf(nil, "x.acc-p12"); id != (Identity{Environment: Acceptance}) {
		t.Errorf("IdentityOf(nil) = %+v", id)
	}
}

func TestEnvironment(t *testing.T) {
	for _, tt := range []struct{ cn, file, want string }{
		{"eHealth-platform Belgium CA", "", Production},
		{"eHealth Test CA acceptance", "", Acceptance},
		{"ZetesConfidens TEST eHealth CA", "", Acceptance},
		{"eHealth ACCEPTANCE issuing CA", "", Acceptance},
		{"eHealth-TEST", "", Acceptance},
		{"Attestation CA", "", Production},                       // "test" inside a word
		{"eHealth-platform Belgium CA", "a.acc-p12", Production}, // the issuer wins over the name
		{"", "a.acc.p12", Acceptance},
		{"", "a.p12", Production},
		{"", "", Production},
	} {
		if got := environment(tt.cn, tt.file); got != tt.want {
			t.Errorf("environment(%q, %q) = %q, want %q", tt.cn, tt.file, got, tt.want)
		}
	}
}

// fuzzSeed is a keystore cheap to make and to decode, since every fuzz
// worker builds it again: RSA-1024 keys and one iteration everywhere.
func fuzzSeed(f *testing.F) []byte {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		var err error
		if keys[i], err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			f.Fatal(err)
		}
	}
	fx, err := certtest.New(certtest.Options{
		SSIN:       testSSIN,
		CA:         &certtest.CA{Cert: testCert(f, keys[0], "fuzz CA"), Key: keys[0]},
		AuthKey:    keys[1],
		EncKeys:    keys[2:],
		Iterations: 1,
	})
	if err != nil {
		f.Fatal(err)
	}
	return fx.P12
}

func FuzzDecode(f *testing.F) {
	p12 := fuzzSeed(f)
	f.Add(p12, []byte(certtest.DefaultPassword))
	f.Add(p12, []byte("wrong"))
	f.Add(p12[:len(p12)/2], []byte(certtest.DefaultPassword))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, []byte{})
	f.Fuzz(func(t *testing.T, data, password []byte) {
		ks, err := Decode(data, password)
		if err != nil {
			if errkind.Of(err) == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			return
		}
		pub, ok := ks.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
		if ks.Cert == nil || !ok || !pub.Equal(ks.Cert.PublicKey) {
			t.Fatal("decoded keystore whose key does not match its certificate")
		}
	})
}

func FuzzProbe(f *testing.F) {
	p12 := fuzzSeed(f)
	f.Add(p12)
	f.Add(p12[:100])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if Probe(data) != nil {
			return
		}
		// A complete file stops being one when cut or extended.
		if Probe(data[:len(data)-1]) == nil {
			t.Error("Probe accepts the file without its last byte")
		}
		if Probe(append(bytes.Clone(data), 0)) == nil {
			t.Error("Probe accepts the file with a trailing byte")
		}
	})
}
