package eid_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/eid"
	"ehealth-tray/eid/softhsm"
	"ehealth-tray/errkind"
)

const (
	tokenLabel = "BELPIC"
	userPIN    = "1234"
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func selfSigned(t *testing.T, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	cert, err := certtest.SelfSigned(key, pkix.Name{CommonName: cn})
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// newToken makes a BELPIC SoftHSM2 token holding key as "Authentication"
// and points SOFTHSM2_CONF at it.
func newToken(t *testing.T, key crypto.Signer) (*softhsm.Token, *x509.Certificate) {
	t.Helper()
	cert := selfSigned(t, key, "Test Authentication")
	tok, err := softhsm.NewToken(t.TempDir(), tokenLabel, userPIN, eid.DefaultKeyLabel, key, cert)
	if errkind.Of(err) == softhsm.KindMissing {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(softhsm.EnvVar, tok.ConfPath)
	return tok, cert
}

// pinFunc answers pin and counts its calls.
func pinFunc(pin string, calls *int) eid.PINFunc {
	return func(context.Context) ([]byte, error) {
		*calls++
		return []byte(pin), nil
	}
}

// spy routes the module through OpenSC's pkcs11-spy, which logs every
// PKCS#11 call; it returns the module path to use and a reader for the log.
func spy(t *testing.T, tok *softhsm.Token) (string, func() string) {
	t.Helper()
	paths, _ := filepath.Glob("/usr/lib/*/pkcs11-spy.so")
	paths = append(paths, "/usr/lib/pkcs11-spy.so", "/usr/lib64/pkcs11-spy.so")
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		out := filepath.Join(t.TempDir(), "spy.log")
		t.Setenv("PKCS11SPY", tok.Module)
		t.Setenv("PKCS11SPY_OUTPUT", out)
		return p, func() string {
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Skip("OpenSC's pkcs11-spy.so is not installed (package opensc)")
	return "", nil
}

// open opens the card on tok, checking that the PIN is asked once and wiped.
func open(t *testing.T, tok *softhsm.Token) *eid.Card {
	t.Helper()
	var given [][]byte
	card, err := eid.Open(context.Background(), eid.Config{Module: tok.Module}, func(context.Context) ([]byte, error) {
		given = append(given, []byte(userPIN))
		return given[len(given)-1], nil
	})
	if err != nil {
		t.Fatalf("Open: %v (kind %q)", err, errkind.Of(err))
	}
	t.Cleanup(func() { card.Close() })
	if len(given) != 1 {
		t.Fatalf("PINFunc called %d times, want 1", len(given))
	}
	if !bytes.Equal(given[0], make([]byte, len(userPIN))) {
		t.Error("the PIN was not zeroed after C_Login")
	}
	return card
}

func TestSignRSA(t *testing.T) {
	tok, cert := newToken(t, rsaKey(t))
	card := open(t, tok)
	if !card.Certificate().Equal(cert) {
		t.Fatal("Certificate() is not the token's Authentication certificate")
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	msg := []byte("<wsse:Security>...</wsse:Security>")
	for _, tc := range []struct {
		hash   crypto.Hash
		digest []byte
	}{
		{crypto.SHA256, func() []byte { d := sha256.Sum256(msg); return d[:] }()},
		{crypto.SHA1, func() []byte { d := sha1.Sum(msg); return d[:] }()},
	} {
		sig, err := card.Sign(rand.Reader, tc.digest, tc.hash)
		if err != nil {
			t.Fatalf("Sign %v: %v", tc.hash, err)
		}
		if err := rsa.VerifyPKCS1v15(pub, tc.hash, tc.digest, sig); err != nil {
			t.Errorf("%v signature does not verify: %v", tc.hash, err)
		}
	}
	if _, err := card.Sign(rand.Reader, make([]byte, 64), crypto.SHA512); err == nil {
		t.Error("Sign with SHA-512 succeeded; only SHA-1 and SHA-256 DigestInfo prefixes are known")
	}
	if _, err := card.Sign(rand.Reader, make([]byte, 20), crypto.SHA256); err == nil {
		t.Error("Sign accepted a 20-byte digest as SHA-256")
	}
}

func TestSignECP384(t *testing.T) {
	tok, cert := newToken(t, ecKey(t))
	card := open(t, tok)
	pub := cert.PublicKey.(*ecdsa.PublicKey)
	msg := []byte("<wsse:Security>...</wsse:Security>")
	d256 := sha256.Sum256(msg)
	d384 := sha512.Sum384(msg)
	for _, tc := range []struct {
		hash   crypto.Hash
		digest []byte
	}{{crypto.SHA256, d256[:]}, {crypto.SHA384, d384[:]}} {
		sig, err := card.Sign(rand.Reader, tc.digest, tc.hash)
		if err != nil {
			t.Fatalf("Sign %v: %v", tc.hash, err)
		}
		if !ecdsa.VerifyASN1(pub, tc.digest, sig) {
			t.Errorf("%v signature does not verify as ASN.1 ECDSA", tc.hash)
		}
	}
}

func TestWrongPIN(t *testing.T) {
	tok, _ := newToken(t, rsaKey(t))
	module, spyLog := spy(t, tok)
	calls := 0
	_, err := eid.Open(context.Background(), eid.Config{Module: module}, pinFunc("0000", &calls))
	if errkind.Of(err) != eid.KindPINIncorrect {
		t.Fatalf("Open with a wrong PIN: %v (kind %q), want kind %q", err, errkind.Of(err), eid.KindPINIncorrect)
	}
	if calls != 1 {
		t.Errorf("PINFunc called %d times, want 1", calls)
	}
	if n := strings.Count(spyLog(), "C_Login"); n != 1 {
		t.Errorf("C_Login called %d times, want 1", n)
	}
	// SoftHSM sets CKF_USER_PIN_COUNT_LOW after a wrong PIN.
	if !strings.Contains(err.Error(), "2 tries left") {
		t.Errorf("message %q does not tell the tries left", err)
	}
}

func TestCanceledPIN(t *testing.T) {
	tok, _ := newToken(t, rsaKey(t))
	module, spyLog := spy(t, tok)
	_, err := eid.Open(context.Background(), eid.Config{Module: module}, func(context.Context) ([]byte, error) {
		return nil, eid.ErrCanceled
	})
	if errkind.Of(err) != eid.KindCanceled || !errors.Is(err, eid.ErrCanceled) {
		t.Fatalf("Open with a cancelled PIN prompt: %v (kind %q), want kind %q", err, errkind.Of(err), eid.KindCanceled)
	}
	log := spyLog()
	if !strings.Contains(log, "C_OpenSession") {
		t.Fatal("the spy log shows no session: the test does not see the module's calls")
	}
	if strings.Contains(log, "C_Login") {
		t.Error("C_Login was called although the PIN prompt was cancelled")
	}
}

func TestNoCard(t *testing.T) {
	tok, _ := newToken(t, rsaKey(t))
	cfg := eid.Config{Module: tok.Module, TokenLabel: "NOPE"}
	calls := 0
	_, err := eid.Open(context.Background(), cfg, pinFunc(userPIN, &calls))
	if errkind.Of(err) != eid.KindNoCard {
		t.Errorf("Open on a missing token: %v (kind %q), want kind %q", err, errkind.Of(err), eid.KindNoCard)
	}
	if calls != 0 {
		t.Errorf("PINFunc called %d times without a card", calls)
	}
	present, err := eid.Present(context.Background(), cfg)
	if present || err != nil {
		t.Errorf("Present(NOPE) = %v, %v; want false, nil", present, err)
	}
	present, err = eid.Present(context.Background(), eid.Config{Module: tok.Module})
	if !present || err != nil {
		t.Errorf("Present(BELPIC) = %v, %v; want true, nil", present, err)
	}
}

func TestModuleNotFound(t *testing.T) {
	dir := t.TempDir()
	notLib := filepath.Join(dir, "libnot.so")
	if err := os.WriteFile(notLib, []byte("not a shared library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.so"), notLib} {
		_, err := eid.Open(context.Background(), eid.Config{Module: path}, nil)
		if errkind.Of(err) != eid.KindModuleNotFound || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s): %v (kind %q), want kind %q naming the path", path, err, errkind.Of(err), eid.KindModuleNotFound)
		}
		if _, err := eid.Present(context.Background(), eid.Config{Module: path}); errkind.Of(err) != eid.KindModuleNotFound {
			t.Errorf("Present(%s): %v, want kind %q", path, err, eid.KindModuleNotFound)
		}
	}
}

func TestFindModule(t *testing.T) {
	override := filepath.Join(t.TempDir(), "module.so")
	if err := os.WriteFile(override, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := eid.FindModule(override); got != override || err != nil {
		t.Errorf("FindModule(%s) = %q, %v; the override must win", override, got, err)
	}
	candidates := eid.ModuleCandidates()
	if len(candidates) == 0 {
		t.Fatal("no module candidates for this system")
	}
	got, err := eid.FindModule("")
	if err == nil {
		if !slices.Contains(candidates, got) {
			t.Errorf("FindModule(\"\") = %q, not a candidate", got)
		}
		return // the eID middleware is installed here
	}
	if errkind.Of(err) != eid.KindModuleNotFound {
		t.Errorf("FindModule(\"\"): %v, want kind %q", err, eid.KindModuleNotFound)
	}
	for _, c := range candidates {
		if !strings.Contains(err.Error(), c) {
			t.Errorf("FindModule error %q does not name %s", err, c)
		}
	}
}

// The qualified Signature key sits next to the Authentication key on the
// card, and is imported first so a search that ignored labels would meet it
// first.
func TestNeverUsesSignatureKey(t *testing.T) {
	sigKey := rsaKey(t)
	sigCert := selfSigned(t, sigKey, "Test Signature")
	authKey := rsaKey(t)
	authCert := selfSigned(t, authKey, "Test Authentication")
	dir := t.TempDir()
	tok, err := softhsm.NewToken(dir, tokenLabel, userPIN, "Signature", sigKey, sigCert)
	if errkind.Of(err) == softhsm.KindMissing {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.AddKey(eid.DefaultKeyLabel, 0x03, authKey, authCert); err != nil {
		t.Fatal(err)
	}
	t.Setenv(softhsm.EnvVar, tok.ConfPath)

	card := open(t, tok)
	if !card.Certificate().Equal(authCert) {
		t.Fatal("Certificate() is not the Authentication certificate")
	}
	digest := sha256.Sum256([]byte("request"))
	sig, err := card.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&authKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature does not verify with the Authentication key: %v", err)
	}
	if rsa.VerifyPKCS1v15(&sigKey.PublicKey, crypto.SHA256, digest[:], sig) == nil {
		t.Error("signature made with the Signature key")
	}
	if _, err := eid.Open(context.Background(), eid.Config{Module: tok.Module, KeyLabel: "Signature"}, nil); err == nil {
		t.Error("Open accepted KeyLabel \"Signature\"")
	}
}

// Two cards on one module share its initialisation: closing one leaves the
// other working, and the module can be loaded again after both are closed.
func TestOpenTwiceAndReopen(t *testing.T) {
	tok, cert := newToken(t, ecKey(t))
	a := open(t, tok)
	calls := 0
	b, err := eid.Open(context.Background(), eid.Config{Module: tok.Module}, pinFunc(userPIN, &calls))
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if calls != 0 {
		t.Errorf("second Open asked the PIN %d times; the application is already logged in", calls)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	digest := sha256.Sum256([]byte("x"))
	sig, err := b.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatalf("Sign after the other card closed: %v", err)
	}
	if !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("signature does not verify")
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := b.Sign(rand.Reader, digest[:], crypto.SHA256); errkind.Of(err) != eid.KindCardError {
		t.Errorf("Sign after Close: %v, want kind %q", err, eid.KindCardError)
	}
	c := open(t, tok) // after C_Finalize: a fresh C_Initialize
	if _, err := c.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
		t.Errorf("Sign after reopening: %v", err)
	}
}

// The token's files disappear while the card is open, as a pulled-out card.
func TestTokenVanishes(t *testing.T) {
	tok, _ := newToken(t, rsaKey(t))
	card := open(t, tok)
	if err := os.RemoveAll(tok.Dir); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	_, err := card.Sign(rand.Reader, digest[:], crypto.SHA256)
	// SoftHSM answers CKR_OBJECT_HANDLE_INVALID: the key is gone.
	if errkind.Of(err) != eid.KindCardRemoved {
		t.Fatalf("Sign on a vanished token: %v (kind %q), want kind %q", err, errkind.Of(err), eid.KindCardRemoved)
	}
}

// One session does one signing operation at a time; Card serialises them.
func TestConcurrentSign(t *testing.T) {
	tok, cert := newToken(t, ecKey(t))
	card := open(t, tok)
	digest := sha256.Sum256([]byte("x"))
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			sig, err := card.Sign(rand.Reader, digest[:], crypto.SHA256)
			if err == nil && !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
				err = errors.New("signature does not verify")
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestNoReader uses OpenSC's PKCS#11 module on a machine without a card
// reader (no pcscd, or pcscd without readers): it lists zero slots, which
// must read as "no reader", not as "no card".
func TestNoReader(t *testing.T) {
	module := ""
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", "/usr/lib/opensc-pkcs11.so", "/usr/lib64/opensc-pkcs11.so"} {
		if _, err := os.Stat(p); err == nil {
			module = p
		}
	}
	if module == "" {
		t.Skip("OpenSC's PKCS#11 module is not installed (Debian opensc-pkcs11; scripts/test.sh installs opensc)")
	}
	ctx := context.Background()
	present, err := eid.Present(ctx, eid.Config{Module: module})
	var k interface{ Kind() string }
	if present || !errors.As(err, &k) || k.Kind() != eid.KindNoReader {
		t.Skipf("this machine has a card reader (present=%v, err=%v): the zero-slot case cannot be shown here", present, err)
	}
	pinAsked := false
	_, err = eid.Open(ctx, eid.Config{Module: module}, func(context.Context) ([]byte, error) { pinAsked = true; return nil, nil })
	if !errors.As(err, &k) || k.Kind() != eid.KindNoReader || pinAsked {
		t.Fatalf("Open with zero slots: %v (PIN asked: %v)", err, pinAsked)
	}
	if !strings.Contains(err.Error(), "reader") {
		t.Fatalf("message does not say what is missing: %q", err)
	}
}
