package softhsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ehealth-tray/cert/certtest"
)

func TestNewToken(t *testing.T) {
	key, cert, err := certtest.NewCard("79021802145", "Test", "Token", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tok, err := NewToken(dir, "BELPIC", "1234", "Authentication", key, cert)
	var serr *Error
	if errors.As(err, &serr) && serr.Kind() == KindMissing {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "key-*")); len(left) != 0 {
		t.Errorf("key files left behind: %v", left)
	}
	if tok.Env() != EnvVar+"="+tok.ConfPath {
		t.Errorf("Env() = %q", tok.Env())
	}

	// Read the token back with OpenSC, as an independent client.
	cmd := exec.Command("pkcs11-tool", "--module", tok.Module, "--token-label", "BELPIC",
		"--login", "--pin", "1234", "--list-objects")
	cmd.Env = append(os.Environ(), tok.Env())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool --list-objects: %v\n%s", err, out)
	}
	for _, want := range []string{"Private Key Object; EC", "Certificate Object", "label:      Authentication", "ID:         02"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("token objects lack %q:\n%s", want, out)
		}
	}
}

func TestNewTokenBadKey(t *testing.T) {
	if _, err := ModulePath(); err != nil {
		t.Skip(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []crypto.Signer{edKey, (*ecdsa.PrivateKey)(nil)} {
		_, err := NewToken(t.TempDir(), "BELPIC", "1234", "Authentication", key, &x509.Certificate{})
		var serr *Error
		if !errors.As(err, &serr) || serr.Kind() != KindFailed {
			t.Errorf("NewToken with a %T key: %v, want kind %q", key, err, KindFailed)
		}
	}
}
