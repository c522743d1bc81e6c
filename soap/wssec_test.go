package soap

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/internal/xmlsectest"
)

// testSigner is a software key with its certificate, like the keystore key.
type testSigner struct {
	crypto.Signer
	cert *x509.Certificate
}

func (s testSigner) Certificate() *x509.Certificate { return s.cert }

// testKeys are made once: RSA key generation is slow.
var testKeys = sync.OnceValues(func() (map[string]testSigner, error) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	keys := map[string]testSigner{}
	for name, k := range map[string]crypto.Signer{"rsa": rsaKey, "ec": ecKey} {
		c, err := certtest.SelfSigned(k, pkix.Name{CommonName: "soap test " + name})
		if err != nil {
			return nil, err
		}
		keys[name] = testSigner{k, c}
	}
	return keys, nil
})

func key(t *testing.T, name string) testSigner {
	t.Helper()
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return keys[name]
}

// xpaths select each signature for xmlsec1 --node-xpath.
const (
	xpathHeaderSig    = "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']/*[local-name()='Signature']"
	xpathAssertionSig = "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']/*[local-name()='Assertion']/*[local-name()='Signature']"
)

// envelopeIDs are the ID attributes of a signed envelope, for xmlsec1.
var envelopeIDs = []xmlsectest.ID{
	{Attr: "Id", Element: NSEnvelope + ":Body"},
	{Attr: "Id", Element: NSWSU + ":Timestamp"},
	{Attr: "Id", Element: NSWSSE + ":BinarySecurityToken"},
	{Attr: "AssertionID", Element: NSSAML + ":Assertion"},
}

// xmlsecVerify runs xmlsec1 on envelope for the signature at xpath, with
// the key of certDER only; nil means it verified.
func xmlsecVerify(t *testing.T, envelope, certDER []byte, xpath string) error {
	t.Helper()
	return xmlsectest.Verify(t, envelope, certDER, xpath, envelopeIDs...)
}

func pingEnvelope() *Envelope {
	env := NewEnvelope()
	env.Body().AddChild(ping())
	return env
}

func TestSignX509VerifiesWithXMLSec(t *testing.T) {
	for _, tc := range []struct{ key, method, alg string }{
		{"rsa", SignatureRSASHA256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"},
		{"rsa", SignatureRSASHA1, "http://www.w3.org/2000/09/xmldsig#rsa-sha1"},
		{"ec", "", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"},
	} {
		t.Run(tc.key+" "+tc.method, func(t *testing.T) {
			s := key(t, tc.key)
			alg, err := AlgorithmFor(s.Public(), tc.method)
			if err != nil {
				t.Fatal(err)
			}
			env := pingEnvelope()
			now := time.Now()
			expires, err := env.SignX509(s, alg, now)
			if err != nil || !expires.Equal(now.Add(TimestampTTL)) {
				t.Fatal(expires, err)
			}
			out, err := env.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(out); err != nil {
				t.Fatal(err)
			}
			if got := doc.FindElement("//ds:SignatureMethod").SelectAttrValue("Algorithm", ""); got != tc.alg {
				t.Errorf("SignatureMethod %s", got)
			}
			if n := len(doc.FindElements("//ds:Reference")); n != 3 {
				t.Errorf("%d references, want Body, Timestamp and token", n)
			}
			if err := xmlsecVerify(t, out, s.cert.Raw, xpathHeaderSig); err != nil {
				t.Fatalf("xmlsec1: %v", err)
			}
			other := key(t, map[string]string{"rsa": "ec", "ec": "rsa"}[tc.key])
			if err := xmlsecVerify(t, out, other.cert.Raw, xpathHeaderSig); err == nil {
				t.Fatal("xmlsec1 verified with another key")
			}
		})
	}
}

// stsAssertion is an assertion shaped as the STS returns it, signed
// (enveloped) by sts: default namespace, a base64 certificate over several
// lines inside the signed content. It stands alone: it declares its namespace.
func stsAssertion(t *testing.T, sts testSigner) (raw []byte, id string) {
	t.Helper()
	id = NewID("_")
	b64 := base64.StdEncoding.EncodeToString(sts.cert.Raw)
	var lines []string
	for len(b64) > 76 {
		lines, b64 = append(lines, b64[:76]), b64[76:]
	}
	lines = append(lines, b64)
	src := `<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="` + id + `" IssueInstant="2026-12-03T10:00:00.000Z" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">` +
		`<Conditions NotBefore="2026-12-03T09:55:00.000Z" NotOnOrAfter="2026-12-04T10:00:00.000Z"/>` +
		`<AttributeStatement><Attribute AttributeName="urn:be:fgov:person:ssin" AttributeNamespace="urn:be:fgov:identification-namespace"><AttributeValue>79021802145</AttributeValue></Attribute>` +
		`<Attribute AttributeName="cert" AttributeNamespace="urn:test"><AttributeValue>` + "\n" + strings.Join(lines, "\n") + "\n" + `</AttributeValue></Attribute></AttributeStatement></Assertion>`
	doc := etree.NewDocument()
	if err := doc.ReadFromString(src); err != nil {
		t.Fatal(err)
	}
	alg, err := AlgorithmFor(sts.Public(), SignatureRSASHA1)
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Root()
	if err := Sign(a, len(a.Child), sts, alg, []Reference{{URI: id, Element: a, Enveloped: true}}, X509KeyInfo(sts.cert)); err != nil {
		t.Fatal(err)
	}
	doc.WriteSettings.CanonicalEndTags = true
	raw, err = doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw, id
}

func TestSignSAMLVerifiesWithXMLSec(t *testing.T) {
	sts := key(t, "rsa")
	assertion, id := stsAssertion(t, sts)
	for _, tc := range []struct{ key, method string }{{"rsa", SignatureRSASHA1}, {"rsa", SignatureRSASHA256}, {"ec", ""}} {
		t.Run(tc.key+" "+tc.method, func(t *testing.T) {
			hok := key(t, tc.key)
			alg, err := AlgorithmFor(hok.Public(), tc.method)
			if err != nil {
				t.Fatal(err)
			}
			env := pingEnvelope()
			if _, err := env.SignSAML(hok, alg, assertion, time.Now()); err != nil {
				t.Fatal(err)
			}
			out, err := env.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, assertion) {
				t.Fatal("the assertion is not in the header byte for byte")
			}
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(out); err != nil {
				t.Fatal(err)
			}
			sec := doc.FindElement("/soap:Envelope/soap:Header/wsse:Security")
			kids := sec.ChildElements()
			if len(kids) != 3 || kids[0].Tag != "Assertion" || kids[1].Tag != "Timestamp" || kids[2].Tag != "Signature" {
				t.Fatalf("Security holds %v", kids)
			}
			refs := kids[2].FindElements("ds:SignedInfo/ds:Reference")
			body := doc.FindElement("/soap:Envelope/soap:Body").SelectAttrValue("wsu:Id", "")
			if len(refs) != 2 || refs[0].SelectAttrValue("URI", "") != "#"+body || refs[1].SelectAttrValue("URI", "") != "#"+kids[1].SelectAttrValue("wsu:Id", "") {
				t.Errorf("references are not Body then Timestamp")
			}
			str := kids[2].FindElement("ds:KeyInfo/wsse:SecurityTokenReference")
			kid := str.SelectElement("wsse:KeyIdentifier")
			if str.SelectAttr("wsse11:TokenType") == nil || str.SelectAttrValue("wsse11:TokenType", "") != TokenTypeSAML11 ||
				kid.SelectAttrValue("ValueType", "") != ValueTypeSAMLAssertionID || kid.Text() != id {
				t.Errorf("KeyInfo does not name the assertion")
			}
			if err := xmlsecVerify(t, out, hok.cert.Raw, xpathHeaderSig); err != nil {
				t.Fatalf("xmlsec1, header signature: %v", err)
			}
			if err := xmlsecVerify(t, out, sts.cert.Raw, xpathAssertionSig); err != nil {
				t.Fatalf("xmlsec1, the STS signature of the embedded assertion: %v", err)
			}
			tampered := bytes.Replace(out, []byte("p:Ping"), []byte("p:Pong"), 2)
			if err := xmlsecVerify(t, tampered, hok.cert.Raw, xpathHeaderSig); err == nil {
				t.Fatal("xmlsec1 verified a tampered Body")
			}
		})
	}
}

func TestSignSAMLRefusesOtherTokens(t *testing.T) {
	hok := key(t, "rsa")
	alg, _ := AlgorithmFor(hok.Public(), "")
	for _, raw := range []string{
		``, `<x/>`, `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"/>`,
		`<!DOCTYPE a><Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_1"/>`,
		`<saml:Assertion AssertionID="_1"/>`,
	} {
		if _, err := pingEnvelope().SignSAML(hok, alg, []byte(raw), time.Now()); err == nil {
			t.Errorf("%q accepted as the session's assertion", raw)
		}
	}
}

func TestECDSASignatureValueIsRawRS(t *testing.T) {
	s := key(t, "ec")
	alg, _ := AlgorithmFor(s.Public(), "")
	env := pingEnvelope()
	if _, err := env.SignX509(s, alg, time.Now()); err != nil {
		t.Fatal(err)
	}
	sig := env.root.FindElement("soap:Header/wsse:Security/ds:Signature")
	sv, err := base64.StdEncoding.DecodeString(sig.SelectElement("ds:SignatureValue").Text())
	if err != nil {
		t.Fatal(err)
	}
	if len(sv) != 96 {
		t.Fatalf("P-384 SignatureValue is %d bytes, want 96 (raw r||s)", len(sv))
	}
	c14n, err := Canonicalize(sig.SelectElement("ds:SignedInfo"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(c14n)
	r, ss := new(big.Int).SetBytes(sv[:48]), new(big.Int).SetBytes(sv[48:])
	if !ecdsa.Verify(s.Public().(*ecdsa.PublicKey), digest[:], r, ss) {
		t.Fatal("raw r||s does not verify over the canonical SignedInfo")
	}
}

func TestECDSARaw(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	// Enough signatures that some r or s is short and needs left padding.
	for range 64 {
		der, err := k.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ecdsaRaw(der, 48)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 96 {
			t.Fatalf("len %d", len(raw))
		}
		if !ecdsa.Verify(&k.PublicKey, digest[:], new(big.Int).SetBytes(raw[:48]), new(big.Int).SetBytes(raw[48:])) {
			t.Fatal("converted signature does not verify")
		}
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, append([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}, 0)} {
		if _, err := ecdsaRaw(bad, 48); err == nil {
			t.Errorf("ecdsaRaw(%x) accepted", bad)
		}
	}
	long, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).Lsh(big.NewInt(1), 48*8), big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecdsaRaw(long, 48); err == nil {
		t.Error("r longer than the curve accepted")
	}
}

func TestAlgorithmForRefuses(t *testing.T) {
	rsaKey := key(t, "rsa")
	if _, err := AlgorithmFor(rsaKey.Public(), "rsa-md5"); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := AlgorithmFor("not a key", ""); err == nil {
		t.Error("unknown key type accepted")
	}
}
