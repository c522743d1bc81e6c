package xmlsectest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

const xpathSig = "/*[local-name()='Doc']/*[local-name()='Signature']"

func selfSigned(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "xmlsectest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func TestVerify(t *testing.T) {
	key, der := selfSigned(t)
	_, otherDER := selfSigned(t)
	el := etree.NewElement("Doc")
	el.CreateAttr("ID", "_1")
	el.SetText("hello")
	signed, err := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})).SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.SetRoot(signed)
	good, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	id := ID{Attr: "ID", Element: "Doc"}
	if err := Verify(t, good, der, xpathSig, id); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	var xe *Error
	if err := Verify(t, good, otherDER, xpathSig, id); !errors.As(err, &xe) || xe.Output == "" {
		t.Errorf("another certificate's key: %v", err)
	}
	tampered := bytes.Replace(good, []byte(">hello<"), []byte(">hullo<"), 1)
	if err := Verify(t, tampered, der, xpathSig, id); !errors.As(err, &xe) {
		t.Errorf("a tampered document: %v", err)
	}
}
