package sts

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"ehealth-tray/errkind"
	"ehealth-tray/internal/xmlsectest"
	"ehealth-tray/session"
	"ehealth-tray/soap"
	"ehealth-tray/sts/ststest"
)

// exchange is one real request to the STS simulator and its signed answer.
type exchange struct {
	sts       *ststest.Server
	requestID string
	body      string
	// assertion is the signed saml:Assertion as it stands in body.
	assertion    string
	id           string
	notOnOrAfter time.Time
}

var (
	notOnOrAfterAttr = regexp.MustCompile(`NotOnOrAfter="([^"]*)"`)
	signatureMethod  = regexp.MustCompile(`SignatureMethod Algorithm="[^"]*"`)
	x509Certificate  = regexp.MustCompile(`(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)`)
)

// asReceived is Raw without the declarations it inherits from the
// simulator's Envelope and Response, which parseResponse adds.
func asReceived(raw []byte) []byte {
	for _, decl := range []string{` xmlns:samlp="` + nsSAMLP + `"`, ` xmlns:soapenv="` + nsSOAP + `"`} {
		raw = bytes.Replace(raw, []byte(decl), nil, 1)
	}
	return raw
}

// simulatorExchange posts a real signed request to a new STS simulator and
// keeps its answer.
func simulatorExchange(tb testing.TB) *exchange {
	tb.Helper()
	sts, err := ststest.New(ststest.Options{NIHII: "53886171521"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sts.Close)
	hok, _, ecID := stsKeys(tb)
	req, err := BuildRequest(RequestParams{Identification: ecID, HOK: hok, SSIN: reqSSIN, Quality: "physiotherapist"})
	if err != nil {
		tb.Fatal(err)
	}
	hr, err := http.NewRequest(http.MethodPost, sts.URL, bytes.NewReader(req.Envelope))
	if err != nil {
		tb.Fatal(err)
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("SOAPAction", soapAction)
	resp, err := sts.Client().Do(hr)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("simulator answered HTTP %d: %s", resp.StatusCode, body)
	}
	e := &exchange{sts: sts, requestID: req.RequestID, body: string(body)}
	// The simulator answers as the real STS does: the assertion in the
	// default namespace.
	start := strings.Index(e.body, "<Assertion ")
	end := strings.LastIndex(e.body, "</Assertion>")
	if start < 0 || end < 0 {
		tb.Fatalf("no assertion in the simulator's answer: %s", body)
	}
	e.assertion = e.body[start : end+len("</Assertion>")]
	e.id = regexp.MustCompile(`AssertionID="([^"]*)"`).FindStringSubmatch(e.assertion)[1]
	if e.notOnOrAfter, err = time.Parse(time.RFC3339Nano, notOnOrAfterAttr.FindStringSubmatch(e.assertion)[1]); err != nil {
		tb.Fatal(err)
	}
	return e
}

func (e *exchange) trust() []*x509.Certificate { return []*x509.Certificate{e.sts.STSCert()} }

// signature is the assertion's ds:Signature.
func (e *exchange) signature() string {
	i := strings.Index(e.assertion, "<ds:Signature")
	j := strings.Index(e.assertion, "</ds:Signature>") + len("</ds:Signature>")
	return e.assertion[i:j]
}

// signatureKeyInfo is the ds:KeyInfo of the assertion's signature.
func (e *exchange) signatureKeyInfo() string {
	sig := e.signature()
	return sig[strings.Index(sig, "<ds:KeyInfo>"):strings.Index(sig, "</ds:Signature>")]
}

// replace returns the answer with old replaced by new, once.
func (e *exchange) replace(tb testing.TB, old, new string) []byte {
	tb.Helper()
	if !strings.Contains(e.body, old) {
		tb.Fatalf("%.60q not in the answer", old)
	}
	return []byte(strings.Replace(e.body, old, new, 1))
}

// evilUntil is the validity a wrapping attack wants read.
var evilUntil = time.Now().AddDate(10, 0, 0).UTC().Truncate(time.Second)

// forged is the signed assertion without its signature, valid until
// evilUntil, with the AssertionID id.
func (e *exchange) forged(id string) string {
	s := strings.Replace(e.assertion, e.signature(), "", 1)
	s = notOnOrAfterAttr.ReplaceAllString(s, `NotOnOrAfter="`+evilUntil.Format(time.RFC3339)+`"`)
	return strings.Replace(s, `AssertionID="`+e.id+`"`, `AssertionID="`+id+`"`, 1)
}

// xpathAssertionSig selects the assertion's signature for xmlsec1.
const xpathAssertionSig = "/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Response']" +
	"/*[local-name()='Assertion']/*[local-name()='Signature']"

// xmlsecVerifyAnswer runs xmlsec1 --verify on the assertion signature of an
// STS answer with cert's key only; nil means it verified.
func xmlsecVerifyAnswer(t *testing.T, body []byte, cert *x509.Certificate) error {
	t.Helper()
	return xmlsectest.Verify(t, body, cert.Raw, xpathAssertionSig, xmlsectest.ID{Attr: "AssertionID", Element: nsSAML + ":Assertion"})
}

func TestVerifyResponseSimulator(t *testing.T) {
	e := simulatorExchange(t)
	body := []byte(e.body)
	if err := xmlsecVerifyAnswer(t, body, e.sts.STSCert()); err != nil {
		t.Fatalf("xmlsec1 rejects the simulator's answer: %v", err)
	}
	hok, _, _ := stsKeys(t)
	cases := []struct {
		name  string
		body  []byte
		trust []*x509.Certificate
	}{
		{"STS certificate", body, e.trust()},
		{"among other trusted", body, []*x509.Certificate{hok.cert, e.sts.STSCert()}},
		// Each trusted key is tried.
		{"KeyInfo-less", e.replace(t, e.signatureKeyInfo(), ""), []*x509.Certificate{hok.cert, e.sts.STSCert()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			a, err := VerifyResponse(body, e.requestID, c.trust, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != e.id || a.InResponseTo != e.requestID || a.Issuer != "urn:be:fgov:ehealth:sts:1_0" {
				t.Errorf("ID %q InResponseTo %q Issuer %q", a.ID, a.InResponseTo, a.Issuer)
			}
			// Real answers backdate NotBefore by about 5 minutes.
			if !a.NotOnOrAfter.Equal(e.notOnOrAfter) || a.NotOnOrAfter.Sub(a.NotBefore) <= 24*time.Hour {
				t.Errorf("validity %v to %v, want over 24h to %v", a.NotBefore, a.NotOnOrAfter, e.notOnOrAfter)
			}
			if got := a.Attributes["urn:be:fgov:person:ssin"]; got != reqSSIN {
				t.Errorf("SSIN attribute %q, want %s (all: %v)", got, reqSSIN, a.Attributes)
			}
			if raw := asReceived(a.Raw); !bytes.Contains(body, raw) || !bytes.HasPrefix(raw, []byte("<Assertion ")) || !bytes.HasSuffix(raw, []byte("</Assertion>")) {
				t.Errorf("Raw is not the assertion's bytes as received:\n%s", a.Raw)
			}
		})
	}
}

func TestVerifyResponseRSASHA1(t *testing.T) {
	e := simulatorExchange(t)
	hok, _, _ := stsKeys(t)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(strings.Replace(e.assertion, e.signature(), "", 1)); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(hok.Signer, [][]byte{hok.cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	ctx.IdAttribute = "AssertionID"
	if err := ctx.SetSignatureMethod(dsig.RSASHA1SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	resigned, err := out.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	body := e.replace(t, e.assertion, resigned)
	if err := xmlsecVerifyAnswer(t, body, hok.cert); err != nil {
		t.Fatalf("xmlsec1 rejects the re-signed answer: %v", err)
	}
	a, err := VerifyResponse(body, e.requestID, []*x509.Certificate{hok.cert}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !a.NotOnOrAfter.Equal(e.notOnOrAfter) || string(asReceived(a.Raw)) != resigned {
		t.Errorf("NotOnOrAfter %v (want %v), Raw as received: %v", a.NotOnOrAfter, e.notOnOrAfter, string(asReceived(a.Raw)) == resigned)
	}
	if _, err := VerifyResponse(body, e.requestID, e.trust(), time.Now()); errkind.Of(err) != "sts-signature" {
		t.Errorf("signed by an untrusted key: %v (kind %q), want sts-signature", err, errkind.Of(err))
	}
}

func TestVerifyResponseBadSignature(t *testing.T) {
	e := simulatorExchange(t)
	hok, _, _ := stsKeys(t)
	sig := e.signature()
	later := `NotOnOrAfter="` + e.notOnOrAfter.Add(time.Hour).UTC().Format(time.RFC3339) + `"`
	tampered := e.replace(t, notOnOrAfterAttr.FindString(e.assertion), later)
	if err := xmlsecVerifyAnswer(t, tampered, e.sts.STSCert()); err == nil {
		t.Fatal("xmlsec1 verifies the tampered answer: the test's tampering is void")
	}
	cases := []struct {
		name  string
		body  []byte
		trust []*x509.Certificate
	}{
		{"another certificate trusted", []byte(e.body), []*x509.Certificate{hok.cert}},
		{"NotOnOrAfter tampered", tampered, e.trust()},
		{"KeyInfo certificate not trusted", e.replace(t, sig, x509Certificate.ReplaceAllString(sig, "${1}"+base64.StdEncoding.EncodeToString(hok.cert.Raw)+"${2}")), e.trust()},
		{"KeyInfo-less, another certificate trusted", e.replace(t, e.signatureKeyInfo(), ""), []*x509.Certificate{hok.cert}},
		{"unsigned", e.replace(t, sig, ""), e.trust()},
		{"signature moved into a child", e.replace(t, e.assertion, strings.Replace(strings.Replace(e.assertion, sig, "", 1), "</AttributeStatement>", sig+"</AttributeStatement>", 1)), e.trust()},
		{"rsa-sha512", e.replace(t, signatureMethod.FindString(sig), `SignatureMethod Algorithm="`+dsig.RSASHA512SignatureMethod+`"`), e.trust()},
		{"reference to the whole document", e.replace(t, `URI="#`+e.id+`"`, `URI=""`), e.trust()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := VerifyResponse(c.body, e.requestID, c.trust, time.Now())
			if err == nil {
				t.Fatalf("accepted, valid until %v", a.NotOnOrAfter)
			}
			if errkind.Of(err) != "sts-signature" {
				t.Fatalf("kind %q, want sts-signature (%v)", errkind.Of(err), err)
			}
			if err.Error() != "the STS answer is not signed by the trusted eHealth STS certificate" {
				t.Errorf("message %q", err)
			}
			var se *STSSignatureError
			if !errors.As(err, &se) || se.Err == nil {
				t.Errorf("no cause for the logs: %#v", err)
			}
		})
	}
}

// TestSignatureWrapping moves the signed assertion where a careless parser
// does not look and puts a forged one, valid for 10 more years, where it
// does. With or without trust, the forged validity must never come out.
func TestSignatureWrapping(t *testing.T) {
	e := simulatorExchange(t)
	evil := e.forged(e.id)
	wrapped := func(s string) string { return `<w:Wrapper xmlns:w="urn:evil">` + s + `</w:Wrapper>` }
	inHeader := func(body []byte, s string) []byte {
		return bytes.Replace(body, []byte("<soapenv:Body>"), []byte("<soapenv:Header>"+s+"</soapenv:Header><soapenv:Body>"), 1)
	}
	sigWithObject := strings.Replace(e.signature(), "</ds:Signature>", "<ds:Object>"+e.assertion+"</ds:Object></ds:Signature>", 1)
	conditions := regexp.MustCompile(`<Conditions [^>]*/>`).FindString(e.assertion)
	evilConditions := notOnOrAfterAttr.ReplaceAllString(conditions, `NotOnOrAfter="`+evilUntil.Format(time.RFC3339)+`"`)
	cases := []struct {
		name string
		body []byte
		// trustOnly: without trust this is just a forged assertion, the
		// signed one sitting where a nested assertion may legitimately be.
		trustOnly bool
	}{
		{"signed one in a wrapper after the forged one", e.replace(t, e.assertion, evil+wrapped(e.assertion)), false},
		{"signed one in a wrapper before the forged one", e.replace(t, e.assertion, wrapped(e.assertion)+evil), false},
		{"signed one in the forged one's ds:Object", e.replace(t, e.assertion, strings.TrimSuffix(evil, "</Assertion>")+sigWithObject+"</Assertion>"), false},
		{"signed one in the forged one's ds:Object, another ID", e.replace(t, e.assertion, strings.TrimSuffix(e.forged("_evil"), "</Assertion>")+sigWithObject+"</Assertion>"), false},
		{"signed one in the forged one's Advice", e.replace(t, e.assertion, strings.TrimSuffix(e.forged("_evil"), "</Assertion>")+"<Advice>"+e.assertion+"</Advice></Assertion>"), true},
		{"signed one in the Header", inHeader(e.replace(t, e.assertion, evil), e.assertion), false},
		{"forged one in the Header", inHeader([]byte(e.body), evil), false},
		{"forged one with another ID before", e.replace(t, e.assertion, e.forged("_evil")+e.assertion), false},
		{"forged one with another ID after", e.replace(t, e.assertion, e.assertion+e.forged("_evil")), false},
		{"forged one in the Status", e.replace(t, "</samlp:Status>", e.forged("_evil")+"</samlp:Status>"), false},
		{"signed one moved to the Header", inHeader(e.replace(t, e.assertion, ""), e.assertion), false},
		{"AssertionID repeated elsewhere", inHeader([]byte(e.body), `<w:Ref xmlns:w="urn:evil" AssertionID="`+e.id+`"/>`), false},
		{"second Conditions first", e.replace(t, conditions, evilConditions+conditions), false},
		{"second Response", e.replace(t, "</soapenv:Body>", `<samlp:Response xmlns:samlp="`+nsSAMLP+`" InResponseTo="`+e.requestID+`"/></soapenv:Body>`), false},
		{"duplicate NotOnOrAfter", e.replace(t, conditions, strings.Replace(conditions, "/>", ` NotOnOrAfter="`+evilUntil.Format(time.RFC3339)+`"/>`, 1)), false},
	}
	for _, c := range cases {
		for _, trusted := range []bool{false, true} {
			if c.trustOnly && !trusted {
				continue
			}
			name := c.name + ", no trust"
			if trusted {
				name = c.name + ", trust"
			}
			t.Run(name, func(t *testing.T) {
				var a *session.Assertion
				var err error
				if trusted {
					a, err = VerifyResponse(c.body, e.requestID, e.trust(), time.Now())
				} else {
					a, err = ParseResponse(c.body, e.requestID)
				}
				if err == nil {
					t.Fatalf("accepted, valid until %v (signed: %v)", a.NotOnOrAfter, e.notOnOrAfter)
				}
				if k := errkind.Of(err); k != "sts-response" && k != "sts-signature" {
					t.Errorf("kind %q, want sts-response or sts-signature (%v)", k, err)
				}
			})
		}
	}
}

// TestOwnConditionsOnly nests forged Conditions in the assertion, ahead of
// its own: without trust they are ignored; with trust the change breaks the
// signature.
func TestOwnConditionsOnly(t *testing.T) {
	e := simulatorExchange(t)
	nested := `<Advice><Conditions NotBefore="2000-01-01T00:00:00Z" NotOnOrAfter="` + evilUntil.Format(time.RFC3339) + `"/></Advice>`
	body := e.replace(t, "<Conditions ", nested+"<Conditions ")
	a, err := ParseResponse(body, e.requestID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NotOnOrAfter.Equal(e.notOnOrAfter) {
		t.Errorf("NotOnOrAfter %v, want the assertion's own %v", a.NotOnOrAfter, e.notOnOrAfter)
	}
	if _, err := VerifyResponse(body, e.requestID, e.trust(), time.Now()); errkind.Of(err) != "sts-signature" {
		t.Errorf("with trust: %v (kind %q), want sts-signature", err, errkind.Of(err))
	}
}

func TestResponseRefusedXML(t *testing.T) {
	e := simulatorExchange(t)
	decl := `<?xml version="1.0" encoding="UTF-8"?>`
	until := notOnOrAfterAttr.FindString(e.assertion)
	// Padding after the root element is legal XML: the size alone decides.
	pad := func(n int) []byte { return []byte(e.body + strings.Repeat(" ", n-len(e.body))) }
	cases := []struct {
		name string
		body []byte
		kind string
	}{
		{"DOCTYPE with an entity", []byte(strings.Replace(strings.Replace(e.body, decl, decl+`<!DOCTYPE soapenv:Envelope [<!ENTITY until "2099-01-01T00:00:00Z">]>`, 1), until, `NotOnOrAfter="&until;"`, 1)), "sts-response"},
		{"DOCTYPE with an external entity", []byte(strings.Replace(e.body, decl, decl+`<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, 1)), "sts-response"},
		{"1 MiB + 1", pad(soap.MaxAnswer + 1), "too-large"},
	}
	for _, c := range cases {
		for name, parse := range map[string]func([]byte, string) (*session.Assertion, error){
			"ParseResponse": ParseResponse,
			"VerifyResponse": func(b []byte, id string) (*session.Assertion, error) {
				return VerifyResponse(b, id, e.trust(), time.Now())
			},
		} {
			t.Run(c.name+", "+name, func(t *testing.T) {
				if _, err := parse(c.body, e.requestID); errkind.Of(err) != c.kind {
					t.Fatalf("%v (kind %q), want %s", err, errkind.Of(err), c.kind)
				}
			})
		}
	}
	if _, err := VerifyResponse(pad(soap.MaxAnswer), e.requestID, e.trust(), time.Now()); err != nil {
		t.Errorf("exactly 1 MiB refused: %v", err)
	}
}

func TestClientVerifiesSignature(t *testing.T) {
	e := simulatorExchange(t)
	hok, _, _ := stsKeys(t)
	c := newTestClient(t, ClientOptions{URL: e.sts.URL, HTTPClient: e.sts.Client(), Timeout: 10 * time.Second, Trust: e.trust()})
	a, err := c.RequestToken(context.Background(), signedTestRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	if d := a.NotOnOrAfter.Sub(a.NotBefore); d <= 24*time.Hour || d > 24*time.Hour+10*time.Minute {
		t.Errorf("validity %v to %v", a.NotBefore, a.NotOnOrAfter)
	}
	c = newTestClient(t, ClientOptions{URL: e.sts.URL, HTTPClient: e.sts.Client(), Timeout: 10 * time.Second, Trust: []*x509.Certificate{hok.cert}})
	if _, err := c.RequestToken(context.Background(), signedTestRequest(t)); errkind.Of(err) != "sts-signature" {
		t.Fatalf("%v (kind %q), want sts-signature", err, errkind.Of(err))
	}
}

func TestLoadTrust(t *testing.T) {
	hok, rsaID, _ := stsKeys(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	certPEM := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	good := write("sts.pem", bytes.Join([][]byte{
		[]byte("STS signing certificates\n"),
		certPEM(hok.cert),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}),
		certPEM(rsaID.cert),
	}, nil))
	certs, err := LoadTrust(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || !certs[0].Equal(hok.cert) || !certs[1].Equal(rsaID.cert) {
		t.Errorf("got %d certificates, want the file's two in order", len(certs))
	}
	for name, path := range map[string]string{
		"missing":         filepath.Join(dir, "missing.pem"),
		"not PEM":         write("text.pem", []byte("not a certificate")),
		"no certificate":  write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}})),
		"bad certificate": write("bad.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})),
		"a directory":     dir,
	} {
		if _, err := LoadTrust(path); errkind.Of(err) != "config" {
			t.Errorf("%s: %v (kind %q), want config", name, err, errkind.Of(err))
		}
	}
	if _, err := VerifyResponse([]byte(stsSuccessXML()), stsRequestID, nil, time.Now()); errkind.Of(err) != "config" {
		t.Errorf("VerifyResponse without trust: %v (kind %q), want config", err, errkind.Of(err))
	}
}

func BenchmarkVerifyResponse(b *testing.B) {
	e := simulatorExchange(b)
	body, trust := []byte(e.body), e.trust()
	for b.Loop() {
		if _, err := VerifyResponse(body, e.requestID, trust, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzVerifyResponse(f *testing.F) {
	e := simulatorExchange(f)
	trust := e.trust()
	f.Add([]byte(e.body))
	f.Add(e.replace(f, e.assertion, e.forged(e.id)+`<w:Wrapper xmlns:w="urn:evil">`+e.assertion+`</w:Wrapper>`))
	f.Add(e.replace(f, e.assertion, strings.TrimSuffix(e.forged("_evil"), "</Assertion>")+"<Advice>"+e.assertion+"</Advice></Assertion>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := VerifyResponse(body, e.requestID, trust, time.Now())
		if err != nil {
			if errkind.Of(err) == "" {
				t.Fatalf("error without a kind: %v", err)
			}
			return
		}
		// Only the signed assertion can come out, whatever surrounds it.
		if a.ID != e.id || !a.NotOnOrAfter.Equal(e.notOnOrAfter) || !bytes.Contains(body, asReceived(a.Raw)) {
			t.Fatalf("accepted %q valid until %v (signed: %q until %v)", a.ID, a.NotOnOrAfter, e.id, e.notOnOrAfter)
		}
	})
}
