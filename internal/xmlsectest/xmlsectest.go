// Package xmlsectest runs xmlsec1, the XML-DSig implementation (Debian
// package xmlsec1) that the tests and the STS simulator hold signatures
// against: it shares no code with ours.
package xmlsectest

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ID is an --id-attr argument: the attribute Attr, matched by its local
// name, is an ID on the elements Element, written "<namespace-uri>:<local-name>".
type ID struct{ Attr, Element string }

// Error is a signature xmlsec1 did not verify, or xmlsec1 that did not run.
type Error struct {
	Output string // xmlsec1's combined output
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("xmlsec1 --verify: %v: %s", e.Err, e.Output) }
func (e *Error) Unwrap() error { return e.Err }

// errNoOK is an exit status 0 without the "OK" a verified signature prints.
var errNoOK = errors.New("exit status 0 without OK")

// Run verifies the signature at xpath in doc with the public key of certDER
// only: --enabled-key-data rsa,ecdsa leaves the KeyInfo aside, and
// --enabled-reference-uris same-doc refuses outside references. Its files
// live in dir (0600) only while it runs. It returns nil or an *Error.
func Run(ctx context.Context, dir string, doc, certDER []byte, xpath string, ids ...ID) error {
	if dir == "" {
		dir = os.TempDir()
	}
	docFile, err := writeTemp(dir, "xmlsec-doc-*.xml", doc)
	if err != nil {
		return &Error{Err: err}
	}
	defer os.Remove(docFile)
	certFile, err := writeTemp(dir, "xmlsec-cert-*.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}))
	if err != nil {
		return &Error{Err: err}
	}
	defer os.Remove(certFile)

	args := []string{"--verify", "--enabled-reference-uris", "same-doc", "--enabled-key-data", "rsa,ecdsa"}
	for _, id := range ids {
		args = append(args, "--id-attr:"+id.Attr, id.Element)
	}
	// Base names in dir: xmlsec1 splits key file arguments at commas, which
	// a test's temporary directory may hold.
	args = append(args, "--pubkey-cert-pem", filepath.Base(certFile), "--node-xpath", xpath, filepath.Base(docFile))
	cmd := exec.CommandContext(ctx, "xmlsec1", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		return &Error{Output: strings.TrimSpace(string(out)), Err: err}
	case !strings.Contains(string(out), "OK"):
		return &Error{Output: strings.TrimSpace(string(out)), Err: errNoOK}
	}
	return nil
}

// Verify is Run for a test, in its temporary directory: nil means the
// signature verified. It skips the test when xmlsec1 is not installed, and
// fails it when xmlsec1 exits 0 without saying OK.
func Verify(t testing.TB, doc, certDER []byte, xpath string, ids ...ID) error {
	t.Helper()
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Skip("xmlsec1 not installed (Debian package xmlsec1)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := Run(ctx, t.TempDir(), doc, certDER, xpath, ids...)
	if errors.Is(err, errNoOK) {
		t.Fatal(err)
	}
	return err
}

// writeTemp writes data to a new 0600 file in dir and returns its name.
func writeTemp(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
