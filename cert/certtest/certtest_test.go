//lint:file-ignore SA1019 these tests check go-pkcs12's deprecated ToPEM, the one API that reads multi-key files

package certtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"ehealth-tray/errkind"
)

const testSSIN = "85073112345"

// keyPool and caPool share RSA keys between tests: RSA-2048 generation is
// the slow part of New.
var (
	keyPool = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
		keys := make([]*rsa.PrivateKey, 4)
		for i := range keys {
			var err error
			if keys[i], err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				return nil, err
			}
		}
		return keys, nil
	})
	caPool = sync.OnceValues(func() (map[bool]*CA, error) {
		cas := map[bool]*CA{}
		for _, acc := range []bool{false, true} {
			var err error
			if cas[acc], err = NewCA(acc); err != nil {
				return nil, err
			}
		}
		return cas, nil
	})
)

// fixture calls New with pooled keys and CAs where o leaves them out.
func fixture(t testing.TB, o Options) *Fixture {
	t.Helper()
	keys, cas := pools(t)
	if o.AuthKey == nil {
		o.AuthKey = keys[0]
	}
	if o.EncKeys == nil {
		o.EncKeys = keys[1 : 1+max(1, o.EncryptionKeys)]
	}
	if o.CA == nil {
		o.CA = cas[o.Acceptance]
	}
	f, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeTemp(t *testing.T, f *Fixture) string {
	t.Helper()
	path, err := f.WriteFile(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
}

// tool runs a command with stdin; passwords go through stdin, never argv.
func tool(t *testing.T, stdin []byte, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// runTool is tool for commands that must succeed; it returns stdout.
func runTool(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, errOut, err := tool(t, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut)
	}
	return out
}

// bag is a safe bag as read back by openssl or go-pkcs12.
type bag struct {
	isKey bool
	name  string // friendlyName
	id    string // localKeyId, lower-case hex
	der   []byte // the certificate, or the key as PKCS#1
}

// checkBags asserts that bags are exactly what f should hold: the
// authentication and encryption keys and certificates, paired by localKeyId
// and named "authentication" and by decimal serial; the CA once without
// attributes and once named by its DN.
func checkBags(t *testing.T, f *Fixture, bags []bag) {
	t.Helper()
	type entry struct {
		name string
		key  *rsa.PrivateKey
		cert *x509.Certificate
	}
	entries := []entry{{"authentication", f.AuthKey, f.AuthCert}}
	for i, c := range f.EncCerts {
		entries = append(entries, entry{c.SerialNumber.String(), f.EncKeys[i], c})
	}
	var want []bag
	for _, e := range entries {
		want = append(want,
			bag{isKey: true, name: e.name, der: x509.MarshalPKCS1PrivateKey(e.key)},
			bag{name: e.name, der: e.cert.Raw})
	}
	want = append(want, bag{der: f.CA.Cert.Raw}, bag{name: f.CA.Cert.Subject.String(), der: f.CA.Cert.Raw})

	// Compare without ids, then check the pairing by id.
	key := func(b bag) string { return strings.Join([]string{b.name, hex.EncodeToString(b.der)}, "/") }
	var gotKeys, wantKeys []string
	for _, b := range bags {
		gotKeys = append(gotKeys, key(b))
	}
	for _, b := range want {
		wantKeys = append(wantKeys, key(b))
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("bags (friendlyName/DER):\n got %q\nwant %q", gotKeys, wantKeys)
	}

	ids := map[string]map[bool]string{} // friendlyName → isKey → localKeyId
	for _, b := range bags {
		if b.name == "" || b.name == f.CA.Cert.Subject.String() {
			if b.id != "" {
				t.Errorf("CA bag %q has localKeyId %s", b.name, b.id)
			}
			continue
		}
		if ids[b.name] == nil {
			ids[b.name] = map[bool]string{}
		}
		ids[b.name][b.isKey] = b.id
	}
	seen := map[string]bool{}
	for name, byKind := range ids {
		if byKind[true] == "" || byKind[true] != byKind[false] {
			t.Errorf("%s: key localKeyId %q, cert localKeyId %q", name, byKind[true], byKind[false])
		}
		if seen[byKind[true]] {
			t.Errorf("%s: localKeyId %s is shared with another entry", name, byKind[true])
		}
		seen[byKind[true]] = true
	}
}

// pkcs1 normalises a PEM key body, which is PKCS#8 from openssl and PKCS#1
// from go-pkcs12's ToPEM.
func pkcs1(t *testing.T, der []byte) []byte {
	t.Helper()
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			t.Fatalf("key is %T", k)
		}
		return x509.MarshalPKCS1PrivateKey(rk)
	}
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		t.Fatalf("key is neither PKCS#8 nor PKCS#1: %v", err)
	}
	return x509.MarshalPKCS1PrivateKey(k)
}

var twoKeys = Options{SSIN: testSSIN, Acceptance: true, EncryptionKeys: 2, Iterations: 3000, Password: "pässwörd €"}

func TestOpenSSLInfo(t *testing.T) {
	requireTool(t, "openssl")
	for _, tc := range []struct {
		name             string
		o                Options
		certBags, keys   int
		iterations       int
		passwordForStdin string
	}{
		{"defaults", Options{SSIN: testSSIN}, 4, 2, DefaultIterations, DefaultPassword},
		{"acceptance, two encryption keys, non-ASCII password", twoKeys, 5, 3, 3000, twoKeys.Password},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, fixture(t, tc.o))
			args := []string{"pkcs12", "-info", "-legacy", "-noout", "-passin", "stdin", "-in", path}
			stdout, stderr, err := tool(t, []byte(tc.passwordForStdin+"\n"), "openssl", args...)
			if err != nil {
				t.Fatalf("openssl rejected the keystore: %v\n%s", err, stderr)
			}
			out := stdout + stderr
			for _, want := range []struct {
				line  string
				count int
			}{
				{"MAC: sha1, Iteration %d", 1},
				{"PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration %d", 1},
				{"Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration %d", tc.keys},
			} {
				line := strings.Replace(want.line, "%d", strconv.Itoa(tc.iterations), 1)
				if n := strings.Count(out, line+"\n"); n != want.count {
					t.Errorf("%q appears %d times, want %d:\n%s", line, n, want.count, out)
				}
			}
			if n := strings.Count(out, "Certificate bag\n"); n != tc.certBags {
				t.Errorf("%d certificate bags, want %d:\n%s", n, tc.certBags, out)
			}

			_, stderr, err = tool(t, []byte("wrong\n"), "openssl", args...)
			if err == nil || !strings.Contains(stderr, "Mac verify error") {
				t.Errorf("wrong password: err %v, stderr %s", err, stderr)
			}
		})
	}
}

// TestOpenSSLContents extracts everything with openssl and checks it against
// the fixture, including the attributes that pair keys and certificates.
func TestOpenSSLContents(t *testing.T) {
	requireTool(t, "openssl")
	for _, o := range []Options{{SSIN: testSSIN}, twoKeys} {
		f := fixture(t, o)
		pw := o.Password
		if pw == "" {
			pw = DefaultPassword
		}
		out := runTool(t, []byte(pw+"\n"), "openssl", "pkcs12", "-legacy", "-nodes", "-passin", "stdin", "-in", writeTemp(t, f))
		checkBags(t, f, parseOpenSSLDump(t, out))
	}
}

// parseOpenSSLDump reads the "Bag Attributes ... -----BEGIN ...-----" output
// of `openssl pkcs12 -nodes`.
func parseOpenSSLDump(t *testing.T, out string) []bag {
	t.Helper()
	var (
		bags []bag
		cur  bag
		body strings.Builder
	)
	for line := range strings.Lines(out) {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "Bag Attributes"):
			cur = bag{}
		case strings.HasPrefix(trimmed, "friendlyName: "):
			cur.name = strings.TrimPrefix(trimmed, "friendlyName: ")
		case strings.HasPrefix(trimmed, "localKeyID: "):
			cur.id = strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(trimmed, "localKeyID: "), " ", ""))
		case strings.HasPrefix(trimmed, "-----BEGIN "):
			body.Reset()
			body.WriteString(line)
		case strings.HasPrefix(trimmed, "-----END "):
			body.WriteString(line)
			block, _ := pem.Decode([]byte(body.String()))
			if block == nil {
				t.Fatalf("bad PEM in openssl output:\n%s", body.String())
			}
			b := cur
			switch block.Type {
			case "CERTIFICATE":
				b.der = block.Bytes
			case "PRIVATE KEY":
				b.isKey, b.der = true, pkcs1(t, block.Bytes)
			default:
				t.Fatalf("unexpected PEM block %s", block.Type)
			}
			bags = append(bags, b)
			body.Reset()
		case body.Len() > 0:
			body.WriteString(line)
		}
	}
	return bags
}

func TestKeytoolList(t *testing.T) {
	requireTool(t, "keytool")
	for _, tc := range []struct {
		name string
		o    Options
		want map[string]string // alias → entry type
	}{
		{"defaults", Options{SSIN: testSSIN}, nil},
		// Java's PBE keys take printable ASCII only, so keytool cannot open a
		// keystore with twoKeys' non-ASCII password.
		{"two encryption keys", Options{SSIN: testSSIN, EncryptionKeys: 2, Password: "s3cret pass"}, nil},
		{"Oracle trusted certificate", Options{SSIN: testSSIN, OracleTrustedCert: true}, map[string]string{"ehealth ca": "trustedCertEntry"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fixture(t, tc.o)
			want := map[string]string{"authentication": "PrivateKeyEntry"}
			for _, c := range f.EncCerts {
				want[c.SerialNumber.String()] = "PrivateKeyEntry"
			}
			for k, v := range tc.want {
				want[k] = v
			}
			pw := tc.o.Password
			if pw == "" {
				pw = DefaultPassword
			}
			path := writeTemp(t, f)
			list := func(password string, extra ...string) (string, error) {
				args := append([]string{"-J-Duser.language=en", "-J-Duser.country=US",
					"-list", "-storetype", "PKCS12", "-keystore", path}, extra...)
				stdout, stderr, err := tool(t, []byte(password+"\n"), "keytool", args...)
				return stdout + stderr, err
			}

			out, err := list(pw)
			if err != nil {
				t.Fatalf("keytool: %v\n%s", err, out)
			}
			// "<alias>, <date with commas>, <type>, "
			entry := regexp.MustCompile(`(?m)^([^,\n]+), .*, (PrivateKeyEntry|trustedCertEntry),[ \t]*$`)
			got := map[string]string{}
			for _, m := range entry.FindAllStringSubmatch(out, -1) {
				got[m[1]] = m[2]
			}
			if !maps.Equal(got, want) {
				t.Errorf("entries %v, want %v\n%s", got, want, out)
			}

			// Java builds the chain authentication → CA from the CA bag.
			out, err = list(pw, "-v", "-alias", "authentication")
			if err != nil || !strings.Contains(out, "Certificate chain length: 2") {
				t.Errorf("authentication chain: %v\n%s", err, out)
			}

			if out, err := list("wrong"); err == nil {
				t.Errorf("keytool accepted a wrong password:\n%s", out)
			}
		})
	}
}

func TestGoPKCS12ToPEM(t *testing.T) {
	for _, o := range []Options{{SSIN: testSSIN}, twoKeys} {
		f := fixture(t, o)
		pw := o.Password
		if pw == "" {
			pw = DefaultPassword
		}
		blocks, err := pkcs12.ToPEM(f.P12, pw)
		if err != nil {
			t.Fatal(err)
		}
		var bags []bag
		for _, b := range blocks {
			got := bag{name: b.Headers["friendlyName"], id: b.Headers["localKeyId"], der: b.Bytes}
			switch b.Type {
			case "CERTIFICATE":
			case "PRIVATE KEY":
				got.isKey, got.der = true, pkcs1(t, b.Bytes)
			default:
				t.Fatalf("unexpected block %s", b.Type)
			}
			bags = append(bags, got)
		}
		checkBags(t, f, bags)

		if _, err := pkcs12.ToPEM(f.P12, "wrong"); !errors.Is(err, pkcs12.ErrIncorrectPassword) {
			t.Errorf("wrong password: %v, want ErrIncorrectPassword", err)
		}
	}
}

// TestGoPKCS12Limits records go-pkcs12's behaviour on keystores the app must
// handle, as observed with v0.7.4.
func TestGoPKCS12Limits(t *testing.T) {
	f := fixture(t, Options{SSIN: testSSIN})
	// DecodeChain stops at the second key bag.
	if _, _, _, err := pkcs12.DecodeChain(f.P12, DefaultPassword); err == nil || err.Error() != "pkcs12: expected exactly one key bag" {
		t.Errorf("DecodeChain: %v", err)
	}
	// ToPEM converts every bag and fails on the first attribute it does not
	// know, here Java's trustedKeyUsage on the trusted-certificate bag; it
	// returns no blocks at all. The error is a plain errors.New value.
	oracle := fixture(t, Options{SSIN: testSSIN, OracleTrustedCert: true})
	blocks, err := pkcs12.ToPEM(oracle.P12, DefaultPassword)
	if err == nil || err.Error() != "pkcs12: unknown attribute with OID 2.16.840.1.113894.746875.1.1" || blocks != nil {
		t.Errorf("ToPEM with a trusted-certificate bag: %d blocks, %v", len(blocks), err)
	}
}

func TestCertificates(t *testing.T) {
	notBefore := time.Date(2021, 4, 1, 8, 30, 0, 0, time.UTC)
	notAfter := notBefore.AddDate(3, 0, 0)
	for _, acceptance := range []bool{false, true} {
		f := fixture(t, Options{
			SSIN: testSSIN, GivenNames: "MARIE LOUISE", Surname: "DUPONT",
			Acceptance: acceptance, NotBefore: notBefore, NotAfter: notAfter,
		})

		if got := strings.Contains(f.CA.Cert.Subject.CommonName, "acceptance"); got != acceptance {
			t.Errorf("acceptance %v: CA CN %q", acceptance, f.CA.Cert.Subject.CommonName)
		}
		if f.AuthCert.Issuer.String() != f.CA.Cert.Subject.String() {
			t.Errorf("issuer %s, want %s", f.AuthCert.Issuer, f.CA.Cert.Subject)
		}

		// The subject, RDN by RDN, in the order of real eHealth certificates.
		var rdns pkix.RDNSequence
		if _, err := asn1.Unmarshal(f.AuthCert.RawSubject, &rdns); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rdn := range rdns {
			for _, atv := range rdn {
				got = append(got, atv.Type.String()+"="+atv.Value.(string))
			}
			if len(rdn) != 1 {
				t.Errorf("multi-valued RDN %v", rdn)
			}
		}
		want := []string{
			"2.5.4.6=BE", "2.5.4.10=Federal Government", "2.5.4.11=SSIN=" + testSSIN,
			"2.5.4.11=MARIE LOUISE DUPONT", "2.5.4.11=eHealth-platform Belgium", "2.5.4.3=SSIN=" + testSSIN,
		}
		if !slices.Equal(got, want) {
			t.Errorf("subject %q, want %q", got, want)
		}

		roots := x509.NewCertPool()
		roots.AddCert(f.CA.Cert)
		if _, err := f.AuthCert.Verify(x509.VerifyOptions{
			Roots: roots, CurrentTime: notBefore.Add(time.Hour), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		}); err != nil {
			t.Errorf("authentication certificate does not verify: %v", err)
		}
		if !f.AuthCert.NotBefore.Equal(notBefore) || !f.AuthCert.NotAfter.Equal(notAfter) {
			t.Errorf("validity %v .. %v", f.AuthCert.NotBefore, f.AuthCert.NotAfter)
		}
		if f.AuthCert.KeyUsage != x509.KeyUsageDigitalSignature {
			t.Errorf("authentication key usage %v", f.AuthCert.KeyUsage)
		}
		if !f.AuthKey.PublicKey.Equal(f.AuthCert.PublicKey) || f.AuthKey.N.BitLen() != 2048 {
			t.Error("authentication certificate does not hold the 2048-bit authentication key")
		}

		enc := f.EncCerts[0]
		if !bytes.Equal(enc.RawSubject, f.AuthCert.RawSubject) || !bytes.Equal(enc.RawIssuer, enc.RawSubject) {
			t.Errorf("encryption certificate: subject %s, issuer %s", enc.Subject, enc.Issuer)
		}
		if err := enc.CheckSignature(enc.SignatureAlgorithm, enc.RawTBSCertificate, enc.Signature); err != nil {
			t.Errorf("encryption certificate is not self-signed: %v", err)
		}
		if !f.EncKeys[0].PublicKey.Equal(enc.PublicKey) || enc.SerialNumber.Sign() <= 0 || enc.SerialNumber.Cmp(f.AuthCert.SerialNumber) == 0 {
			t.Errorf("encryption certificate: key or serial %v wrong", enc.SerialNumber)
		}
	}
}

// TestNewDefaults runs New with nothing but an SSIN: it generates the CA and
// both keys itself.
func TestNewDefaults(t *testing.T) {
	before := time.Now()
	f, err := New(Options{SSIN: testSSIN})
	if err != nil {
		t.Fatal(err)
	}
	if f.CA.Acceptance || strings.Contains(f.CA.Cert.Subject.CommonName, "acceptance") {
		t.Errorf("default CA %q is not a production CA", f.CA.Cert.Subject.CommonName)
	}
	if !slices.Contains(f.AuthCert.Subject.OrganizationalUnit, "JOHN DOE") {
		t.Errorf("subject %s lacks JOHN DOE", f.AuthCert.Subject)
	}
	start := before.Add(-time.Hour).Truncate(time.Second)
	if nb := f.AuthCert.NotBefore; nb.Before(start) || nb.After(time.Now().Add(-time.Hour)) {
		t.Errorf("NotBefore %v, want about now-1h", nb)
	}
	if d := f.AuthCert.NotAfter.Sub(f.AuthCert.NotBefore); d != DefaultValidity {
		t.Errorf("validity %v, want %v", d, DefaultValidity)
	}
	if len(f.EncKeys) != 1 || len(f.EncCerts) != 1 || f.EncKeys[0].Equal(f.AuthKey) {
		t.Errorf("%d encryption keys, want 1 distinct from the authentication key", len(f.EncKeys))
	}
	if _, err := pkcs12.ToPEM(f.P12, DefaultPassword); err != nil {
		t.Errorf("default password: %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	keys, cas := pools(t)
	now := time.Now()
	for _, tc := range []struct {
		field string
		o     Options
	}{
		{"SSIN", Options{}},
		{"SSIN", Options{SSIN: "8507311234"}},
		{"SSIN", Options{SSIN: "85.07.31-123.45"}},
		{"SSIN", Options{SSIN: "8507311234x"}},
		{"Acceptance", Options{SSIN: testSSIN, CA: cas[false], Acceptance: true}},
		{"NotAfter", Options{SSIN: testSSIN, NotBefore: now, NotAfter: now}},
		{"Iterations", Options{SSIN: testSSIN, Iterations: -1}},
		{"EncryptionKeys", Options{SSIN: testSSIN, EncryptionKeys: -1}},
		{"EncKeys", Options{SSIN: testSSIN, EncryptionKeys: 1, EncKeys: keys[:2]}},
		{"Password", Options{SSIN: testSSIN, Password: "\xff"}},
	} {
		_, err := New(tc.o)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != tc.field || errkind.Of(err) != "invalid-option" {
			t.Errorf("%+v: error %v, want an invalid-option error on %s", tc.o, err, tc.field)
		}
	}
}

func TestFileName(t *testing.T) {
	created := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	for _, tc := range []struct {
		acceptance bool
		want       string
	}{
		{false, "SSIN=85073112345 20240305-140709.p12"},
		{true, "SSIN=85073112345 20240305-140709.acc-p12"},
	} {
		if got := FileName(testSSIN, created, tc.acceptance); got != tc.want {
			t.Errorf("FileName(acceptance %v) = %q, want %q", tc.acceptance, got, tc.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	created := time.Date(2025, 12, 31, 23, 59, 58, 0, time.UTC)
	for _, acceptance := range []bool{false, true} {
		f := fixture(t, Options{SSIN: testSSIN, Acceptance: acceptance})
		dir := t.TempDir()
		path, err := f.WriteFile(dir, created)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, FileName(testSSIN, created, acceptance)); path != want {
			t.Errorf("path %q, want %q", path, want)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", info.Mode().Perm())
		}
		if data, err := os.ReadFile(path); err != nil || !bytes.Equal(data, f.P12) {
			t.Errorf("file content differs from P12 (%v)", err)
		}
	}

	// A given acceptance CA makes an acceptance keystore without Acceptance.
	cas, err := caPool()
	if err != nil {
		t.Fatal(err)
	}
	f := fixture(t, Options{SSIN: testSSIN, CA: cas[true]})
	if path, err := f.WriteFile(t.TempDir(), created); err != nil || !strings.HasSuffix(path, ".acc-p12") {
		t.Errorf("keystore from an acceptance CA written to %q (%v)", path, err)
	}

	_, err = f.WriteFile(filepath.Join(t.TempDir(), "missing"), created)
	if !errors.Is(err, os.ErrNotExist) || errkind.Of(err) != "keystore-fixture" {
		t.Errorf("missing folder: %v", err)
	}
}

func BenchmarkNew(b *testing.B) {
	keys, cas := pools(b)
	for _, bc := range []struct {
		name string
		o    Options
	}{
		// The brief's case: a given AuthKey; the encryption key is generated.
		{"AuthKey", Options{AuthKey: keys[0]}},
		// Every key given: certificates and the PKCS#12 writer only.
		{"AllKeys", Options{AuthKey: keys[0], EncKeys: keys[1:2]}},
		{"AllKeys/RealIterations", Options{AuthKey: keys[0], EncKeys: keys[1:2], Iterations: RealIterations}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := bc.o
			o.SSIN, o.CA = testSSIN, cas[false]
			for b.Loop() {
				if _, err := New(o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// pools returns the shared test keys and CAs, generated once.
func pools(tb testing.TB) ([]*rsa.PrivateKey, map[bool]*CA) {
	tb.Helper()
	keys, err := keyPool()
	if err != nil {
		tb.Fatal(err)
	}
	cas, err := caPool()
	if err != nil {
		tb.Fatal(err)
	}
	return keys, cas
}
