package ststest

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"ehealth-tray/internal/xmlsectest"
)

// XPaths of the STS signatures in an answer, for xmlsec1.
const (
	xpathTopAssertion = "/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Response']/*[local-name()='Assertion']"
	xpathTopSignature = xpathTopAssertion + "/*[local-name()='Signature']"
	xpathAdviceSig    = xpathTopAssertion + "/*[local-name()='Advice']/*[local-name()='Assertion']/*[local-name()='Signature']"
)

// xmlsecAnswer verifies the answer's signature at xpath with cert, by xmlsec1.
func xmlsecAnswer(t testing.TB, body []byte, cert *x509.Certificate, xpath string) error {
	t.Helper()
	return xmlsectest.Verify(t, body, cert.Raw, xpath, assertionID)
}

// ownVerify checks an assertion's enveloped signature with the simulator's
// verifier (its Reference must name the assertion).
func ownVerify(a *etree.Element, cert *x509.Certificate) error {
	sig := child(a, nsDS, "Signature")
	if sig == nil {
		return errors.New("no signature")
	}
	resolve := func(uri string) (*etree.Element, error) {
		if uri != "#"+a.SelectAttrValue("AssertionID", "") {
			return nil, sigErrorf("reference %q", uri)
		}
		return a, nil
	}
	_, err := verifySignature(sig, resolve, true, cert.PublicKey)
	return err
}

// topAssertions returns the answer's Response and its assertion children.
func topAssertions(t testing.TB, body []byte) (*etree.Element, []*etree.Element) {
	t.Helper()
	r := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSAMLP, "Response"})
	if r == nil {
		t.Fatalf("no samlp:Response in\n%s", body)
	}
	return r, children(r, nsSAML, "Assertion")
}

func TestRealShape(t *testing.T) {
	p := getPKI(t)
	for _, tc := range []struct {
		name            string
		alg             SignatureAlgorithm
		wantSig, wantDg string
	}{
		{"default rsa-sha1", "", algRSASHA1, algSHA1},
		{"rsa-sha256", SignatureRSASHA256, algRSASHA256, algSHA256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Options{AnswerSignature: tc.alg})
			spec := eidSpec(p, p.eidRSA)
			env, id := build(t, spec)
			if !bytes.Contains(env, []byte("NameQualifier=\"CN=Citizen CA, OID.2.5.4.5="+citizenCASerial)) {
				t.Fatalf("the request does not send OID.2.5.4.5:\n%s", env)
			}
			_, body := post(t, s, env)
			a := successAssertion(t, s, body, id)
			if a.Space != "" || a.SelectAttrValue("xmlns", "") != nsSAML || bytes.Contains(body, []byte("<saml:")) {
				t.Errorf("the assertion is not in the default namespace:\n%s", body)
			}
			sig := child(a, nsDS, "Signature")
			if got := path(sig, [2]string{nsDS, "SignedInfo"}, [2]string{nsDS, "SignatureMethod"}).SelectAttrValue("Algorithm", ""); got != tc.wantSig {
				t.Errorf("SignatureMethod %s, want %s", got, tc.wantSig)
			}
			if got := sig.FindElement(".//ds:DigestMethod").SelectAttrValue("Algorithm", ""); got != tc.wantDg {
				t.Errorf("DigestMethod %s, want %s", got, tc.wantDg)
			}
			issued, _ := time.Parse(time.RFC3339, a.SelectAttrValue("IssueInstant", ""))
			if nb, _ := conditions(t, a); issued.Sub(nb) != 5*time.Minute {
				t.Errorf("NotBefore %s is not 5 minutes before IssueInstant %s", nb, issued)
			}
			for _, n := range a.FindElements(".//NameIdentifier") {
				if got, want := n.SelectAttrValue("NameQualifier", ""), "CN=Citizen CA, SERIALNUMBER="+citizenCASerial+", C=BE"; got != want {
					t.Errorf("NameQualifier %q, want %q", got, want)
				}
				if got := n.Text(); !strings.HasPrefix(got, "SERIALNUMBER="+testSSIN+", GIVENNAME=John Alice, SURNAME=Doe, CN=") {
					t.Errorf("NameIdentifier %q is not in Java's X500Name form", got)
				}
			}
			if a.FindElement("./AttributeStatement/Subject/SubjectConfirmation") != nil {
				t.Error("the AttributeStatement's Subject has a SubjectConfirmation")
			}
			hok := a.FindElement("./AuthenticationStatement/Subject/SubjectConfirmation/ds:KeyInfo/ds:X509Data/ds:X509Certificate")
			if hok == nil || strings.Count(hok.Text(), "\n") < 5 {
				t.Errorf("the HOK certificate is not wrapped inside the signed content")
			}
			if err := xmlsecAnswer(t, body, s.STSCert(), xpathTopSignature); err != nil {
				t.Errorf("xmlsec1 refuses the answer: %v", err)
			}
			if err := ownVerify(a, s.STSCert()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInnerSignatureSHA1(t *testing.T) {
	p := getPKI(t)
	s := newServer(t, Options{ExternalVerifier: XMLSecVerifier(t.TempDir())})
	needXMLSec(t)
	spec := eidSpec(p, p.eidEC)
	spec.innerSHA1 = true
	env, id := build(t, spec)
	if !bytes.Contains(env, []byte(algRSASHA1)) {
		t.Fatal("the request has no rsa-sha1 signature")
	}
	_, body := post(t, s, env)
	successAssertion(t, s, body, id)

	spec.beforeHeader = func(d *etree.Document) { d.FindElement("//saml:AttributeValue").SetText(otherSSIN) }
	env, _ = build(t, spec)
	resp, body := post(t, s, env)
	faultCode(t, resp, body)
	if re, ok := errors.AsType[*RequestError](s.Requests()[1].Err); !ok || re.Check != CheckInnerSignature {
		t.Errorf("changed Request under an rsa-sha1 signature: %v", s.Requests()[1].Err)
	}
}

func TestAssertionFaults(t *testing.T) {
	p := getPKI(t)
	tests := []struct {
		fault Fault
		check func(t *testing.T, s *Server, body []byte, a *etree.Element)
	}{
		{FaultPast, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			nb, na := conditions(t, a)
			if nb.Year() != 2000 || na.Year() != 2001 {
				t.Errorf("validity %s – %s", nb, na)
			}
		}},
		{FaultFuture, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			if nb, _ := conditions(t, a); time.Until(nb) < 59*time.Minute {
				t.Errorf("NotBefore %s is not an hour ahead", nb)
			}
		}},
		{FaultLongLived, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			if _, na := conditions(t, a); na.Year() != 9999 {
				t.Errorf("NotOnOrAfter %s", na)
			}
		}},
		{FaultNestedAdvice, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			nested := path(a, [2]string{nsSAML, "Advice"}, [2]string{nsSAML, "Assertion"})
			if nested == nil {
				t.Fatalf("no assertion in Advice:\n%s", body)
			}
			if got := attributes(nested)[qualityDoctor]; got != DecoyNIHII {
				t.Errorf("nested NIHII %q", got)
			}
			if got := attributes(nested)[attrPersonSSIN]; got != DecoySSIN {
				t.Errorf("nested SSIN %q", got)
			}
			if err := ownVerify(nested, s.STSCert()); err != nil {
				t.Errorf("nested signature: %v", err)
			}
			if err := xmlsecAnswer(t, body, s.STSCert(), xpathAdviceSig); err != nil {
				t.Errorf("xmlsec1 refuses the nested signature: %v", err)
			}
		}},
		{FaultNestedEcho, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			echo := a.FindElement("./AuthenticationStatement/Subject/SubjectConfirmation/SubjectConfirmationData/saml:Assertion")
			if echo == nil || !strings.HasPrefix(echo.SelectAttrValue("AssertionID", ""), "A-") || echo.NamespaceURI() != nsSAML {
				t.Fatalf("the request's assertion is not echoed:\n%s", body)
			}
		}},
		{FaultIndented, func(t *testing.T, s *Server, body []byte, a *etree.Element) {
			if !bytes.Contains(body, []byte("\n        <Conditions")) {
				t.Errorf("not indented:\n%s", body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			s := newServer(t, Options{})
			s.SetFault(tt.fault, "", "")
			env, id := build(t, eidSpec(p, p.eidRSA))
			_, body := post(t, s, env)
			a := successAssertion(t, s, body, id)
			if got := attributes(a)[qualityDoctor]; got != testNIHII {
				t.Errorf("top-level NIHII %q", got)
			}
			if err := xmlsecAnswer(t, body, s.STSCert(), xpathTopSignature); err != nil {
				t.Errorf("xmlsec1 refuses the top-level signature: %v", err)
			}
			tt.check(t, s, body, a)
		})
	}
}

func TestTwoAssertions(t *testing.T) {
	s, _, body := postWithFault(t, FaultTwoAssertions)
	_, as := topAssertions(t, body)
	if len(as) != 2 {
		t.Fatalf("%d top-level assertions, want 2", len(as))
	}
	if attributes(as[0])[qualityDoctor] != testNIHII || attributes(as[1])[qualityDoctor] != DecoyNIHII {
		t.Errorf("values %v / %v", attributes(as[0]), attributes(as[1]))
	}
	for i, a := range as {
		if err := ownVerify(a, s.STSCert()); err != nil {
			t.Errorf("assertion %d: %v", i, err)
		}
	}
	if err := xmlsecAnswer(t, body, s.STSCert(), xpathTopAssertion+"[2]/*[local-name()='Signature']"); err != nil {
		t.Errorf("xmlsec1 refuses the second assertion: %v", err)
	}
}

func TestReindented(t *testing.T) {
	s, _, body := postWithFault(t, FaultReindented)
	_, as := topAssertions(t, body)
	if len(as) != 1 || !bytes.Contains(body, []byte("\n        <Conditions")) {
		t.Fatalf("not a re-indented answer:\n%s", body)
	}
	if err := ownVerify(as[0], s.STSCert()); err == nil {
		t.Error("the re-indented assertion still verifies")
	}
	if err := xmlsecAnswer(t, body, s.STSCert(), xpathTopSignature); err == nil {
		t.Error("xmlsec1 accepts the re-indented assertion")
	}
}

func TestTrustRollover(t *testing.T) {
	p := getPKI(t)
	now := time.Now()
	old, err := NewCredential("STS 2024", now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := NewCredential("STS 2026", now.AddDate(0, 0, -1), now.AddDate(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Options{STS: old})
	env, _ := build(t, fallbackSpec(p))
	_, body := post(t, s, env)
	_, as := topAssertions(t, body)
	if !s.STSCert().Equal(old.Cert) || ownVerify(as[0], old.Cert) != nil || ownVerify(as[0], fresh.Cert) == nil {
		t.Error("the answer is not signed by the old credential only")
	}
	if err := xmlsecAnswer(t, body, old.Cert, xpathTopSignature); err != nil {
		t.Errorf("xmlsec1: %v", err)
	}

	if err := s.SetSTSCredential(fresh); err != nil {
		t.Fatal(err)
	}
	env, _ = build(t, fallbackSpec(p))
	_, body = post(t, s, env)
	_, as = topAssertions(t, body)
	if err := ownVerify(as[0], fresh.Cert); err != nil {
		t.Errorf("after the rollover: %v", err)
	}
	block, _ := pem.Decode(s.STSCertPEM())
	if block == nil || !bytes.Equal(block.Bytes, fresh.Cert.Raw) {
		t.Error("STSCertPEM is not the new certificate")
	}
	var got []*x509.Certificate
	for rest := PEM(old.Cert, fresh.Cert); ; {
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if len(got) != 2 || !got[0].Equal(old.Cert) || !got[1].Equal(fresh.Cert) {
		t.Errorf("PEM holds %d certificates", len(got))
	}

	if err := s.SetSTSCredential(&Credential{Key: old.Key, Cert: fresh.Cert}); err == nil {
		t.Error("a certificate for another key is accepted")
	}
	if _, err := New(Options{STS: &Credential{Cert: fresh.Cert}}); err == nil {
		t.Error("a credential without a key is accepted")
	}
}

func TestHandlerMount(t *testing.T) {
	p := getPKI(t)
	h, err := NewSTS(Options{TrustedCAs: []*x509.Certificate{p.ehealthCA.cert}, NIHII: testNIHII})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	mux.HandleFunc("/etkdepot/1_0/EtkDepotService", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	ts := newTLSServer(t, mux)
	t.Cleanup(h.Close)

	env, id := build(t, fallbackSpec(p))
	req, _ := http.NewRequest(http.MethodPost, ts.URL+Path, bytes.NewReader(env))
	req.Header.Set("Content-Type", contentTypeXML)
	req.Header.Set("SOAPAction", soapAction)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	r, as := topAssertions(t, body)
	if resp.StatusCode != http.StatusOK || len(as) != 1 || r.SelectAttrValue("InResponseTo", "") != id || len(h.Requests()) != 1 {
		t.Fatalf("HTTP %d, %d assertions, %d requests", resp.StatusCode, len(as), len(h.Requests()))
	}
	if ownVerify(as[0], h.STSCert()) != nil {
		t.Error("the mounted STS answer does not verify")
	}
	resp, err = ts.Client().Post(ts.URL+"/etkdepot/1_0/EtkDepotService", "text/xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("the other service: HTTP %d", resp.StatusCode)
	}
}
