package ststest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/internal/xmlsectest"
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

// requestIDs are the ID attributes of an STS request, for xmlsec1.
var requestIDs = []xmlsectest.ID{
	{Attr: "Id", Element: nsSOAP + ":Body"},
	{Attr: "Id", Element: nsWSU + ":Timestamp"},
	{Attr: "Id", Element: nsWSSE + ":BinarySecurityToken"},
	{Attr: "RequestID", Element: nsSAMLP + ":Request"},
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
	if err := runXMLSec(ctx, tmpDir, envelope, bst.Text(), xpathHeaderSignature); err != nil {
		return xmlsecError("header", err)
	}
	sig := path(env, [2]string{nsSOAP, "Body"}, [2]string{nsSAMLP, "Request"}, [2]string{nsDS, "Signature"})
	if sig == nil {
		return nil // fallback mode without inner signature
	}
	cert := path(sig, [2]string{nsDS, "KeyInfo"}, [2]string{nsDS, "X509Data"}, [2]string{nsDS, "X509Certificate"})
	if cert == nil {
		return &XMLSecError{Signature: "request", Err: errors.New("no KeyInfo/X509Data/X509Certificate")}
	}
	if err := runXMLSec(ctx, tmpDir, envelope, cert.Text(), xpathRequestSignature); err != nil {
		return xmlsecError("request", err)
	}
	return nil
}

// runXMLSec verifies the request signature at xpath in envelope with the
// public key of the base64 DER certificate certText.
func runXMLSec(ctx context.Context, tmpDir string, envelope []byte, certText, xpath string) error {
	cert, err := parseCertText(certText)
	if err != nil {
		return err
	}
	return xmlsectest.Run(ctx, tmpDir, envelope, cert.Raw, xpath, requestIDs...)
}

// xmlsecError is the XMLSecError of a failed check of the signature.
func xmlsecError(signature string, err error) *XMLSecError {
	e := &XMLSecError{Signature: signature, Err: err}
	if xe, ok := errors.AsType[*xmlsectest.Error](err); ok {
		e.Output, e.Err = xe.Output, xe.Err
	}
	return e
}
