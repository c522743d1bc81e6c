// Package softhsm makes SoftHSM2 tokens that stand in for a Belgian eID card:
// a token labelled like the card holding a key and its certificate under the
// same label. Tests use it, and so does the app's demo command.
//
// SoftHSM2 reads its configuration from SOFTHSM2_CONF when the module is
// initialised, so a process that loads the module must set it first (see
// Token.Env).
package softhsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// EnvVar is the environment variable SoftHSM2 reads its configuration from.
const EnvVar = "SOFTHSM2_CONF"

// Error kinds.
const (
	KindMissing = "softhsm-missing" // SoftHSM2 or OpenSC's pkcs11-tool is not installed
	KindFailed  = "softhsm-failed"  // a tool or file operation failed
)

// Error is a failure to make a token.
type Error struct {
	kind string
	msg  string
	err  error
}

func (e *Error) Error() string { return e.msg }

// Kind is KindMissing or KindFailed.
func (e *Error) Kind() string { return e.kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

func failed(err error, format string, args ...any) *Error {
	return &Error{kind: KindFailed, msg: fmt.Sprintf(format, args...), err: err}
}

// modulePaths are where distributions install the SoftHSM2 PKCS#11 module.
var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so", // Debian, Ubuntu
	"/usr/lib64/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/opt/homebrew/lib/softhsm/libsofthsm2.so",
}

// ModulePath returns the SoftHSM2 PKCS#11 module, or an error of kind
// KindMissing when SoftHSM2 is not installed.
func ModulePath() (string, error) {
	// The multiarch directory (/usr/lib/<triplet>/softhsm) comes after the
	// fixed paths, matched by pattern rather than by a copy of the
	// GOARCH-to-triplet table.
	multiarch, _ := filepath.Glob("/usr/lib/*-linux-gnu*/softhsm/libsofthsm2.so")
	for _, p := range slices.Concat(modulePaths, multiarch) {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", &Error{kind: KindMissing, msg: fmt.Sprintf("SoftHSM2 is not installed (no libsofthsm2.so in %v)", modulePaths)}
}

// Token is a SoftHSM2 token in a private directory.
type Token struct {
	Dir      string // holds the configuration and the token store
	ConfPath string // the SoftHSM2 configuration (see Env)
	Module   string // the SoftHSM2 PKCS#11 module
	Label    string
	PIN      string // the user PIN
}

// NewToken creates a SoftHSM2 configuration and token store under dir,
// initialises a token labelled label with the user PIN pin (and a random SO
// PIN nobody needs afterwards), and imports key with its certificate under
// keyLabel and id 02, like the eID's authentication key. key is an
// *rsa.PrivateKey or *ecdsa.PrivateKey.
func NewToken(dir, label, pin, keyLabel string, key crypto.Signer, cert *x509.Certificate) (*Token, error) {
	module, err := ModulePath()
	if err != nil {
		return nil, err
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, &Error{kind: KindMissing, msg: tool + " is not installed (packages softhsm2, opensc)", err: err}
		}
	}
	store := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(store, 0o700); err != nil {
		return nil, failed(err, "creating the token store: %v", err)
	}
	t := &Token{Dir: dir, ConfPath: filepath.Join(dir, "softhsm2.conf"), Module: module, Label: label, PIN: pin}
	conf := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", store)
	if err := os.WriteFile(t.ConfPath, []byte(conf), 0o600); err != nil {
		return nil, failed(err, "writing the SoftHSM2 configuration: %v", err)
	}
	// PINs on the command line are visible to other local users. That is
	// acceptable only because this is a throwaway test/demo token holding a
	// throwaway key; never do this with a real PIN.
	if err := t.run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", rand.Text()); err != nil {
		return nil, err
	}
	if err := t.AddKey(keyLabel, 0x02, key, cert); err != nil {
		return nil, err
	}
	return t, nil
}

// AddKey imports key and its certificate under keyLabel and id. The key goes
// through a 0600 PKCS#8 PEM file inside t.Dir that is removed right after
// the import; softhsm2-util imports only the key, so pkcs11-tool writes the
// certificate.
func (t *Token) AddKey(keyLabel string, id byte, key crypto.Signer, cert *x509.Certificate) error {
	var supported bool
	switch k := key.(type) {
	case *rsa.PrivateKey:
		supported = k != nil
	case *ecdsa.PrivateKey:
		supported = k != nil
	}
	if !supported {
		return failed(nil, "unsupported key %T: want an RSA or ECDSA private key", key)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return failed(err, "encoding the key: %v", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	clear(der)
	keyFile, err := t.writeTemp("key-*.pem", keyPEM)
	clear(keyPEM)
	if err != nil {
		return err
	}
	hexID := fmt.Sprintf("%02x", id)
	err = t.run("softhsm2-util", "--import", keyFile, "--token", t.Label, "--label", keyLabel, "--id", hexID, "--pin", t.PIN)
	if rerr := os.Remove(keyFile); err == nil && rerr != nil {
		err = failed(rerr, "removing the key file: %v", rerr)
	}
	if err != nil {
		return err
	}
	certFile, err := t.writeTemp("cert-*.der", cert.Raw)
	if err != nil {
		return err
	}
	defer os.Remove(certFile)
	return t.run("pkcs11-tool", "--module", t.Module, "--token-label", t.Label, "--login", "--pin", t.PIN,
		"--write-object", certFile, "--type", "cert", "--id", hexID, "--label", keyLabel)
}

// Env returns "SOFTHSM2_CONF=<ConfPath>". The process that loads the module
// must have it set before C_Initialize.
func (t *Token) Env() string { return EnvVar + "=" + t.ConfPath }

// writeTemp writes data to a new 0600 file in t.Dir and returns its path.
func (t *Token) writeTemp(pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(t.Dir, pattern)
	if err != nil {
		return "", failed(err, "creating a temporary file: %v", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", failed(werr, "writing %s: %v", f.Name(), werr)
	}
	return f.Name(), nil
}

// run runs a SoftHSM2 or OpenSC tool against this token's configuration.
func (t *Token) run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), t.Env())
	out, err := cmd.CombinedOutput()
	if err != nil {
		// Only the first argument: the others may hold the PIN.
		return failed(err, "%s %s failed: %v: %s", name, args[0], err, bytes.TrimSpace(out))
	}
	return nil
}
