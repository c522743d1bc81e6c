package sts

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/errkind"
	"ehealth-tray/internal/xmlsectest"
	"ehealth-tray/soap"
	"ehealth-tray/sts/ststest"
)

// xpaths select each signature for xmlsec1 --node-xpath.
const (
	xpathHeaderSig = "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']/*[local-name()='Signature']"
	xpathInnerSig  = "/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Request']/*[local-name()='Signature']"
)

// requestIDs are the ID attributes of an STS request, for xmlsec1.
var requestIDs = []xmlsectest.ID{
	{Attr: "Id", Element: nsSOAP + ":Body"},
	{Attr: "Id", Element: soap.NSWSU + ":Timestamp"},
	{Attr: "Id", Element: soap.NSWSSE + ":BinarySecurityToken"},
	{Attr: "RequestID", Element: nsSAMLP + ":Request"},
}

// xmlsecVerify runs xmlsec1 on envelope; nil means the signature verified.
func xmlsecVerify(t *testing.T, envelope, certDER []byte, xpath string) error {
	t.Helper()
	return xmlsectest.Verify(t, envelope, certDER, xpath, requestIDs...)
}

// envelopeParts are the elements of a built request the tests look at.
type envelopeParts struct {
	doc                      *etree.Document
	request, headerSig, body *etree.Element
	bstCert, hokCert         []byte
}

func parseEnvelope(t *testing.T, env []byte) envelopeParts {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(env); err != nil {
		t.Fatalf("envelope is not XML: %v", err)
	}
	p := envelopeParts{doc: doc}
	mustFind := func(path string) *etree.Element {
		t.Helper()
		el := doc.FindElement(path)
		if el == nil {
			t.Fatalf("no %s in envelope", path)
		}
		return el
	}
	b64 := func(el *etree.Element) []byte {
		t.Helper()
		der, err := base64.StdEncoding.DecodeString(el.Text())
		if err != nil {
			t.Fatalf("%s: %v", el.Tag, err)
		}
		return der
	}
	p.body = mustFind("/soap:Envelope/soap:Body")
	p.request = mustFind("/soap:Envelope/soap:Body/samlp:Request")
	p.headerSig = mustFind("/soap:Envelope/soap:Header/wsse:Security/ds:Signature")
	p.bstCert = b64(mustFind("/soap:Envelope/soap:Header/wsse:Security/wsse:BinarySecurityToken"))
	p.hokCert = b64(mustFind("/soap:Envelope/soap:Body/samlp:Request/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate"))
	return p
}

func TestBuildRequestVerifiesWithXMLSec(t *testing.T) {
	hok, rsaID, ecID := stsKeys(t)
	const (
		rsa256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
		rsa1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
		ec256  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
		sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
		sha1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	)
	// The header follows [sts] signature (EC keys: ecdsa-sha256); the inner
	// Request signature follows [sts] request_signature, rsa-sha1 by default.
	cases := []struct {
		name                    string
		id                      *swSigner
		method, innerMethod     string
		headerAlg, headerDigest string
		innerAlg, innerDigest   string
	}{
		{"rsa-sha256 eID", rsaID, "", "", rsa256, sha256, rsa1, sha1},
		{"rsa-sha1 eID", rsaID, SignatureRSASHA1, "", rsa1, sha1, rsa1, sha1},
		{"ecdsa P-384 eID", ecID, SignatureRSASHA256, "", ec256, sha256, rsa1, sha1},
		{"fallback", hok, "", "", rsa256, sha256, rsa1, sha1},
		{"inner rsa-sha256", rsaID, "", SignatureRSASHA256, rsa256, sha256, rsa256, sha256},
		{"inner rsa-sha1 named", ecID, "", SignatureRSASHA1, ec256, sha256, rsa1, sha1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := BuildRequest(RequestParams{
				Identification: c.id, HOK: hok, SSIN: reqSSIN, Quality: "nurse", SignatureMethod: c.method, RequestSignatureMethod: c.innerMethod,
			})
			if err != nil {
				t.Fatal(err)
			}
			p := parseEnvelope(t, req.Envelope)
			if !bytes.Equal(p.bstCert, c.id.cert.Raw) {
				t.Error("BinarySecurityToken is not the identification certificate")
			}
			if !bytes.Equal(p.hokCert, hok.cert.Raw) {
				t.Error("inner KeyInfo is not the HOK certificate")
			}
			for _, sig := range []struct {
				el          *etree.Element
				alg, digest string
				refs        int
				xpath       string
				certDER     []byte
			}{
				{p.headerSig, c.headerAlg, c.headerDigest, 3, xpathHeaderSig, p.bstCert},
				{p.request.SelectElement("ds:Signature"), c.innerAlg, c.innerDigest, 1, xpathInnerSig, p.hokCert},
			} {
				if got := sig.el.FindElement("ds:SignedInfo/ds:SignatureMethod").SelectAttrValue("Algorithm", ""); got != sig.alg {
					t.Errorf("SignatureMethod %s, want %s", got, sig.alg)
				}
				refs := sig.el.FindElements("ds:SignedInfo/ds:Reference")
				if len(refs) != sig.refs {
					t.Fatalf("%d references, want %d", len(refs), sig.refs)
				}
				for _, r := range refs {
					if got := r.FindElement("ds:DigestMethod").SelectAttrValue("Algorithm", ""); got != sig.digest {
						t.Errorf("DigestMethod %s, want %s", got, sig.digest)
					}
				}
				if err := xmlsecVerify(t, req.Envelope, sig.certDER, sig.xpath); err != nil {
					t.Errorf("xmlsec1 rejects the %s signature: %v", sig.el.Parent().Tag, err)
				}
			}
		})
	}
}

func TestBuildRequestContent(t *testing.T) {
	hok, _, ecID := stsKeys(t)
	now := time.Date(2025, 3, 4, 10, 20, 30, 400_000_000, time.FixedZone("CET", 3600))
	cases := []struct {
		name              string
		id                *swSigner
		subject, issuerDN string
	}{
		{"eID", ecID, reqEIDDN, reqIssuerDN},
		{"fallback", hok, reqHOKDN, reqIssuerDN},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := BuildRequest(RequestParams{
				Identification: c.id, HOK: hok, SSIN: reqSSIN, Quality: "midwife",
				Validity: 12 * time.Hour, Now: now,
			})
			if err != nil {
				t.Fatal(err)
			}
			p := parseEnvelope(t, req.Envelope)
			r := p.request
			want := map[string]string{
				"MajorVersion": "1", "MinorVersion": "1", "RequestID": req.RequestID,
				"IssueInstant": "2025-03-04T09:20:30.400Z",
			}
			for k, v := range want {
				if got := r.SelectAttrValue(k, ""); got != v {
					t.Errorf("Request@%s = %q, want %q", k, got, v)
				}
			}
			if first := r.ChildElements()[0]; first.Space != "ds" || first.Tag != "Signature" {
				t.Errorf("first child of Request is %s, want ds:Signature", first.FullTag())
			}
			if ref := r.FindElement("ds:Signature/ds:SignedInfo/ds:Reference").SelectAttrValue("URI", ""); ref != "#"+req.RequestID {
				t.Errorf("inner Reference URI %q, want #%s", ref, req.RequestID)
			}
			var transforms []string
			for _, tr := range r.FindElements("ds:Signature/ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform") {
				transforms = append(transforms, tr.SelectAttrValue("Algorithm", ""))
			}
			if want := []string{soap.AlgEnveloped, soap.AlgExcC14N}; !slices.Equal(transforms, want) {
				t.Errorf("inner transforms %v, want %v", transforms, want)
			}

			q := r.SelectElement("samlp:AttributeQuery")
			for _, path := range []string{
				"saml:Subject/saml:NameIdentifier",
				"saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData/saml:Assertion/saml:AttributeStatement/saml:Subject/saml:NameIdentifier",
			} {
				ni := q.FindElement(path)
				if ni == nil {
					t.Fatalf("no %s", path)
				}
				if got := ni.Text(); got != c.subject {
					t.Errorf("%s text %q, want %q", path, got, c.subject)
				}
				if got := ni.SelectAttrValue("NameQualifier", ""); got != c.issuerDN {
					t.Errorf("%s NameQualifier %q, want %q", path, got, c.issuerDN)
				}
				if got := ni.SelectAttrValue("Format", ""); got != formatX509Subject {
					t.Errorf("Format %q", got)
				}
			}
			conf := q.FindElement("saml:Subject/saml:SubjectConfirmation")
			if got := conf.SelectElement("saml:ConfirmationMethod").Text(); got != cmHolderOfKey {
				t.Errorf("ConfirmationMethod %q", got)
			}
			kc := conf.FindElement("ds:KeyInfo/ds:X509Data/ds:X509Certificate")
			if kc == nil || kc.Text() != base64.StdEncoding.EncodeToString(hok.cert.Raw) {
				t.Error("SubjectConfirmation KeyInfo does not hold the HOK certificate")
			}
			a := conf.FindElement("saml:SubjectConfirmationData/saml:Assertion")
			if got := a.SelectAttrValue("Issuer", ""); got != c.subject {
				t.Errorf("inner Assertion Issuer %q", got)
			}
			cond := a.SelectElement("saml:Conditions")
			if nb, na := cond.SelectAttrValue("NotBefore", ""), cond.SelectAttrValue("NotOnOrAfter", ""); nb != "2025-03-04T09:20:30.400Z" || na != "2025-03-04T21:20:30.400Z" {
				t.Errorf("Conditions %s..%s", nb, na)
			}
			var asserted []Designator
			for _, at := range a.FindElements("saml:AttributeStatement/saml:Attribute") {
				asserted = append(asserted, Designator{at.SelectAttrValue("AttributeNamespace", ""), at.SelectAttrValue("AttributeName", "")})
				if v := at.SelectElement("saml:AttributeValue").Text(); v != reqSSIN {
					t.Errorf("asserted %s = %q, want the SSIN", at.SelectAttrValue("AttributeName", ""), v)
				}
			}
			if !slices.Equal(asserted, identificationDesignators) {
				t.Errorf("asserted attributes %v", asserted)
			}
			var asked []Designator
			for _, d := range q.SelectElements("saml:AttributeDesignator") {
				asked = append(asked, Designator{d.SelectAttrValue("AttributeNamespace", ""), d.SelectAttrValue("AttributeName", "")})
			}
			if want, _ := Designators("midwife"); !slices.Equal(asked, want) {
				t.Errorf("designators %v, want %v", asked, want)
			}

			ts := p.doc.FindElement("/soap:Envelope/soap:Header/wsse:Security/wsu:Timestamp")
			if cr, ex := ts.SelectElement("wsu:Created").Text(), ts.SelectElement("wsu:Expires").Text(); cr != "2025-03-04T09:20:30.400Z" || ex != "2025-03-04T09:21:30.400Z" {
				t.Errorf("Timestamp %s..%s, want 60 s from now", cr, ex)
			}
			var uris []string
			for _, ref := range p.headerSig.FindElements("ds:SignedInfo/ds:Reference") {
				uris = append(uris, ref.SelectAttrValue("URI", ""))
			}
			bst := p.doc.FindElement("/soap:Envelope/soap:Header/wsse:Security/wsse:BinarySecurityToken")
			wantURIs := []string{"#" + p.body.SelectAttrValue("wsu:Id", ""), "#" + ts.SelectAttrValue("wsu:Id", ""), "#" + bst.SelectAttrValue("wsu:Id", "")}
			if !slices.Equal(uris, wantURIs) {
				t.Errorf("header references %v, want %v", uris, wantURIs)
			}
			if got := p.headerSig.FindElement("ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference").SelectAttrValue("URI", ""); got != wantURIs[2] {
				t.Errorf("SecurityTokenReference %q, want %q", got, wantURIs[2])
			}
		})
	}
}

// Tampering shows that xmlsec1 checks what we think it checks, and that each
// --node-xpath selects its own signature.
func TestXMLSecRejectsTampering(t *testing.T) {
	hok, rsaID, _ := stsKeys(t)
	req, err := BuildRequest(RequestParams{Identification: rsaID, HOK: hok, SSIN: reqSSIN, Quality: "dentist"})
	if err != nil {
		t.Fatal(err)
	}
	ssin := []byte(">" + reqSSIN + "<")
	tamperedBody := bytes.Replace(req.Envelope, ssin, []byte(">79021802146<"), 1)
	if bytes.Equal(tamperedBody, req.Envelope) {
		t.Fatal("no SSIN text to tamper with")
	}
	if err := xmlsecVerify(t, tamperedBody, rsaID.cert.Raw, xpathHeaderSig); err == nil {
		t.Error("header signature verifies over a tampered Body")
	}
	if err := xmlsecVerify(t, tamperedBody, hok.cert.Raw, xpathInnerSig); err == nil {
		t.Error("Request signature verifies over a tampered Request")
	}

	tamperedTS := bytes.Replace(req.Envelope, []byte("</wsu:Expires>"), []byte("0</wsu:Expires>"), 1)
	if err := xmlsecVerify(t, tamperedTS, rsaID.cert.Raw, xpathHeaderSig); err == nil {
		t.Error("header signature verifies over a tampered Timestamp")
	}
	if err := xmlsecVerify(t, tamperedTS, hok.cert.Raw, xpathInnerSig); err != nil {
		t.Errorf("Request signature should not cover the Timestamp: %v", err)
	}

	if err := xmlsecVerify(t, req.Envelope, hok.cert.Raw, xpathHeaderSig); err == nil {
		t.Error("header signature verifies with the wrong key")
	}
}

// TestDesignators holds every profession's list against the simulator's
// transcription of ehealth-protocol.md §5 (itself held against the table by
// ststest's tests; the two share no code).
func TestDesignators(t *testing.T) {
	professions := ststest.Qualities()
	if len(professions) != len(certifiedDesignators) {
		t.Errorf("%d professions, the table has %d", len(certifiedDesignators), len(professions))
	}
	for _, q := range professions {
		names := ststest.Designators(q)
		got, err := Designators(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		want := []Designator{
			{"urn:be:fgov:identification-namespace", "urn:be:fgov:ehealth:1.0:certificateholder:person:ssin"},
			{"urn:be:fgov:identification-namespace", "urn:be:fgov:person:ssin"},
		}
		for _, n := range names {
			want = append(want, Designator{"urn:be:fgov:certified-namespace:ehealth", n})
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", q, got, want)
		}
		if sent := sentDesignators(t, q); !slices.Equal(sent, want) {
			t.Errorf("%s: the request asks\n%v\nwant %v", q, sent, want)
		}
	}
	if _, err := Designators("pharmacist"); errkind.Of(err) != "request" {
		t.Errorf("unknown quality: %v (kind %q)", err, errkind.Of(err))
	}
}

// sentDesignators are the AttributeDesignators of a request built for quality.
func sentDesignators(t *testing.T, quality string) []Designator {
	t.Helper()
	hok, _, _ := stsKeys(t)
	req, err := BuildRequest(RequestParams{Identification: hok, HOK: hok, SSIN: reqSSIN, Quality: quality})
	if err != nil {
		t.Fatal(err)
	}
	var out []Designator
	for _, ad := range parseEnvelope(t, req.Envelope).request.FindElements("samlp:AttributeQuery/saml:AttributeDesignator") {
		out = append(out, Designator{ad.SelectAttrValue("AttributeNamespace", ""), ad.SelectAttrValue("AttributeName", "")})
	}
	return out
}

// failingSigner is a card that refuses to sign, with its own error kind.
type failingSigner struct{ *swSigner }

type pinError struct{}

func (pinError) Error() string { return "PIN incorrect" }
func (pinError) Kind() string  { return "pin-incorrect" }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, pinError{}
}

func TestBuildRequestErrors(t *testing.T) {
	hok, rsaID, _ := stsKeys(t)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ed := &swSigner{edKey, rsaID.cert}
	ok := RequestParams{Identification: rsaID, HOK: hok, SSIN: reqSSIN, Quality: "doctor"}
	cases := []struct {
		name string
		edit func(*RequestParams)
		kind string
	}{
		{"no identification", func(p *RequestParams) { p.Identification = nil }, "request"},
		{"no certificate", func(p *RequestParams) { p.HOK = &swSigner{hok.Signer, nil} }, "request"},
		{"short SSIN", func(p *RequestParams) { p.SSIN = "7902180214" }, "request"},
		{"letters in SSIN", func(p *RequestParams) { p.SSIN = "7902180214x" }, "request"},
		{"unknown quality", func(p *RequestParams) { p.Quality = "vet" }, "request"},
		{"unknown method", func(p *RequestParams) { p.SignatureMethod = "rsa-md5" }, "request"},
		{"ed25519 key", func(p *RequestParams) { p.Identification = ed }, "request"},
		{"card refuses", func(p *RequestParams) { p.Identification = failingSigner{rsaID} }, "pin-incorrect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ok
			c.edit(&p)
			req, err := BuildRequest(p)
			if err == nil {
				t.Fatalf("built %d bytes, want an error", len(req.Envelope))
			}
			if got := errkind.Of(err); got != c.kind {
				t.Errorf("kind %q, want %q (%v)", got, c.kind, err)
			}
		})
	}
}

func BenchmarkBuildRequestRSA(b *testing.B) {
	hok, rsaID, _ := stsKeys(b)
	p := RequestParams{Identification: rsaID, HOK: hok, SSIN: reqSSIN, Quality: "physiotherapist"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildRequest(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildRequestEC(b *testing.B) {
	hok, _, ecID := stsKeys(b)
	p := RequestParams{Identification: ecID, HOK: hok, SSIN: reqSSIN, Quality: "physiotherapist"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildRequest(p); err != nil {
			b.Fatal(err)
		}
	}
}
