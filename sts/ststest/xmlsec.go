package ststest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/beevik/etree"
)

// xmlsecTimeout bounds one XMLSecVerifier call, which has no context.
const xmlsecTimeout = 30 * time.Second

// XPaths of the two request signatures. xmlsec1 has no option to bind
// namespace prefixes, hence local-name() and namespace-uri().
const (
	xpathHeaderSignature = "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']" +
		"/*[local-name()='Signature' and namespace-uri()='" + nsDS + "']"
	xpathRequestSignature = "/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Request']" +
		"/*[local-name()='Signature' and namespace-uri()='" + nsDS + "']"
)

// requestIDAttrs are xmlsec1's --id-attr arguments for an STS request. The
// attribute name matches wsu:Id by its local name; the element is given as
// <namespace-uri>:<local-name>.
var requestIDAttrs = []string{
	"--id-attr:Id", nsSOAP + ":Body",
	"--id-attr:Id", nsWSU + ":Timestamp",
	"--id-attr:Id", nsWSSE + ":BinarySecurityToken",
	"--id-attr:RequestID", nsSAMLP + ":Request",
}

// XMLSecError is a signature that xmlsec1 did not verify, or xmlsec1 missing.
type XMLSecError struct {
	Signature string // "header" or "request"
	Output    string // xmlsec1's combined output
	Err       error
}

func (e *XMLSecError) Error() string {
	return fmt.Sprintf("xmlsec1 --verify of the %s signature: %v: %s", e.Signature, e.Err, e.Output)
}

func (e *XMLSecError) Unwrap() error { return e.Err }

// Kind is the CLI error kind.
func (e *XMLSecError) Kind() string { return "xmlsec-verify" }

// XMLSecVerifier returns an Options.ExternalVerifier that checks both request
// signatures with xmlsec1, an implementation independent of ours and of the
// client's. Its files live in tmpDir (0600) only while it runs.
func XMLSecVerifier(tmpDir string) func([]byte) error {
	return func(envelope []byte) error {
		ctx, cancel := context.WithTimeout(context.Background(), xmlsecTimeout)
		defer cancel()
		return XMLSecVerify(ctx, tmpDir, envelope)
	}
}

// XMLSecVerify checks the WS-Security signature with the BinarySecurityToken's
// certificate and, if present, the samlp:Request signature with its KeyInfo
// certificate, each with `xmlsec1 --verify`.
func XMLSecVerify(ctx context.Context, tmpDir string, envelope []byte) error {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(envelope); err != nil {
		return &XMLSecError{Signature: "header", Err: err}
	}
	env := doc.Root()
	bst := path(env, [2]string{nsSOAP, "Header"}, [2]string{nsWSSE, "Security"}, [2]string{nsWSSE, "BinarySecurityToken"})
	if bst == nil {
		return &XMLSecError{Signature: "header", Err: errors.New("no BinarySecurityToken")}
	}
	if err := runXMLSec(ctx, tmpDir, envelope, bst.Text(), xpathHeaderSignature, requestIDAttrs); err != nil {
		return &XMLSecError{Signature: "header", Output: err.output, Err: err.err}
	}
	sig := path(env, [2]string{nsSOAP, "Body"}, [2]string{nsSAMLP, "Request"}, [2]string{nsDS, "Signature"})
	if sig == nil {
		return nil // fallback mode without inner signature
	}
	cert := path(sig, [2]string{nsDS, "KeyInfo"}, [2]string{nsDS, "X509Data"}, [2]string{nsDS, "X509Certificate"})
	if cert == nil {
		return &XMLSecError{Signature: "request", Err: errors.New("no KeyInfo/X509Data/X509Certificate")}
	}
	if err := runXMLSec(ctx, tmpDir, envelope, cert.Text(), xpathRequestSignature, requestIDAttrs); err != nil {
		return &XMLSecError{Signature: "request", Output: err.output, Err: err.err}
	}
	return nil
}

// xmlsecRun is a failed xmlsec1 run.
type xmlsecRun struct {
	output string
	err    error
}

// runXMLSec verifies the signature at xpath in doc with the public key of the
// base64 DER certificate certText.
func runXMLSec(ctx context.Context, tmpDir string, doc []byte, certText, xpath string, idAttrs []string) *xmlsecRun {
	cert, err := parseCertText(certText)
	if err != nil {
		return &xmlsecRun{err: err}
	}
	if tmpDir == "" {
		tmpDir = os.TempDir()
	}
	docFile, err := writeTemp(tmpDir, "sts-envelope-*.xml", doc)
	if err != nil {
		return &xmlsecRun{err: err}
	}
	defer os.Remove(docFile)
	certFile, err := writeTemp(tmpDir, "sts-cert-*.pem", PEM(cert))
	if err != nil {
		return &xmlsecRun{err: err}
	}
	defer os.Remove(certFile)

	args := append([]string{"--verify", "--enabled-reference-uris", "same-doc"}, idAttrs...)
	// Base names in tmpDir: xmlsec1 splits key file arguments at commas,
	// which a test's temporary directory may hold.
	args = append(args, "--pubkey-cert-pem", filepath.Base(certFile), "--node-xpath", xpath, filepath.Base(docFile))
	cmd := exec.CommandContext(ctx, "xmlsec1", args...)
	cmd.Dir = tmpDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &xmlsecRun{output: string(out), err: err}
	}
	return nil
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
