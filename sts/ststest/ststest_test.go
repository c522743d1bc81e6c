package ststest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"ehealth-tray/internal/xmlsectest"
)

func needXMLSec(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Skip("xmlsec1 not installed (Debian package xmlsec1)")
	}
}

// newServer starts a simulator trusting the test eHealth CA, closed at cleanup.
func newServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.TrustedCAs == nil {
		o.TrustedCAs = []*x509.Certificate{getPKI(t).ehealthCA.cert}
	}
	if o.NIHII == "" {
		o.NIHII = testNIHII
	}
	if o.GivenName == "" {
		o.GivenName, o.Surname = "John", "Doe"
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// waitRequests waits until s has received n requests.
func waitRequests(t testing.TB, s *STS, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.WaitRequests(ctx, n); err != nil {
		t.Fatalf("waiting for %d requests: %v", n, err)
	}
}

// post sends an envelope the way the client must, and returns the answer
// as it comes: redirects are not followed.
func post(t testing.TB, s *Server, envelope []byte) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := postCtx(context.Background(), s, envelope)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// postWithFault sends a fallback request to a new server with fault f in
// force, and returns the server and its answer.
func postWithFault(t testing.TB, f Fault) (*Server, *http.Response, []byte) {
	t.Helper()
	s := newServer(t, Options{})
	s.SetFault(f, "", "")
	env, _ := build(t, fallbackSpec(getPKI(t)))
	resp, body := post(t, s, env)
	return s, resp, body
}

func postCtx(ctx context.Context, s *Server, envelope []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(envelope))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+soapAction+`"`)
	resp, err := noRedirect(s).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func parseXML(t testing.TB, b []byte) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatalf("answer is not XML: %v\n%s", err, b)
	}
	return doc.Root()
}

// faultCode returns the SOA code of a SOAP fault answer and checks its shape.
func faultCode(t testing.TB, resp *http.Response, body []byte) string {
	t.Helper()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 for a SOAP fault\n%s", resp.StatusCode, body)
	}
	f := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSOAP, "Fault"})
	se := path(f, [2]string{"", "detail"}, [2]string{nsSOA, "SystemError"})
	if f == nil || se == nil {
		t.Fatalf("no Fault/detail/soa:SystemError in\n%s", body)
	}
	code := child(se, "", "Code").Text()
	if fs := child(f, "", "faultstring").Text(); fs == "" || fs != child(se, "", "Message").Text() {
		t.Errorf("faultstring %q does not match the detail Message", fs)
	}
	return code
}

// successAssertion checks a success answer and returns its assertion.
func successAssertion(t testing.TB, s *Server, body []byte, requestID string) *etree.Element {
	t.Helper()
	r := path(parseXML(t, body), [2]string{nsSOAP, "Body"}, [2]string{nsSAMLP, "Response"})
	if r == nil {
		t.Fatalf("no samlp:Response in\n%s", body)
	}
	if got := r.SelectAttrValue("InResponseTo", ""); got != requestID {
		t.Errorf("InResponseTo %q, want %q", got, requestID)
	}
	if got := path(r, [2]string{nsSAMLP, "Status"}, [2]string{nsSAMLP, "StatusCode"}).SelectAttrValue("Value", ""); got != "samlp:Success" {
		t.Errorf("StatusCode %q", got)
	}
	a := child(r, nsSAML, "Assertion")
	if a == nil {
		t.Fatalf("no assertion in\n%s", body)
	}
	if got := a.SelectAttrValue("Issuer", ""); got != stsIssuer {
		t.Errorf("Issuer %q", got)
	}
	// goxmldsig's validator is independent of the simulator's signing path.
	store := &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{s.STSCert()}}
	vc := dsig.NewDefaultValidationContext(store)
	vc.IdAttribute = "AssertionID"
	if _, err := vc.Validate(a); err != nil {
		t.Errorf("STS signature does not verify with goxmldsig: %v", err)
	}
	return a
}

// attributes returns the assertion's attribute values by name.
func attributes(a *etree.Element) map[string]string {
	out := map[string]string{}
	for _, at := range children(child(a, nsSAML, "AttributeStatement"), nsSAML, "Attribute") {
		out[at.SelectAttrValue("AttributeName", "")] = child(at, nsSAML, "AttributeValue").Text()
	}
	return out
}

func TestValidRequests(t *testing.T) {
	needXMLSec(t)
	p := getPKI(t)
	tests := []struct {
		name string
		spec reqSpec
	}{
		{"eID RSA rsa-sha256", eidSpec(p, p.eidRSA)},
		{"eID ECDSA P-384", eidSpec(p, p.eidEC)},
		{"eID RSA rsa-sha1 sha1", func() reqSpec {
			s := eidSpec(p, p.eidRSA)
			s.headerAlg, s.digestAlg = algRSASHA1, algSHA1
			return s
		}()},
		{"eID RSA, inner rsa-sha1", func() reqSpec { s := eidSpec(p, p.eidRSA); s.innerSHA1 = true; return s }()},
		{"fallback without inner signature", fallbackSpec(p)},
		{"fallback with inner signature", func() reqSpec { s := fallbackSpec(p); s.innerSig = true; return s }()},
		{"fallback with inner rsa-sha1", func() reqSpec { s := fallbackSpec(p); s.innerSig, s.innerSHA1 = true, true; return s }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			s := newServer(t, Options{ExternalVerifier: XMLSecVerifier(tmp)})
			before := time.Now()
			env, id := build(t, tt.spec)
			resp, body := post(t, s, env)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %v\n%s", resp.StatusCode, s.Requests()[0].Err, body)
			}
			a := successAssertion(t, s, body, id)
			xmlsecVerifyResponse(t, s, body)

			nb, na := conditions(t, a)
			issued, _ := time.Parse(time.RFC3339, a.SelectAttrValue("IssueInstant", ""))
			if d := na.Sub(issued); d != 24*time.Hour {
				t.Errorf("validity %s from IssueInstant, want 24h", d)
			}
			if issued.Before(before.Add(-time.Second)) || issued.After(time.Now()) || issued.Sub(nb) != 5*time.Minute {
				t.Errorf("IssueInstant %s is not now, or NotBefore %s not 5 minutes before", issued, nb)
			}
			attrs := attributes(a)
			want := map[string]string{
				attrHolderSSIN: testSSIN, attrPersonSSIN: testSSIN,
				qualityDoctor: testNIHII, doctorBoolean: "true", givenNameAttr: "John", surnameAttr: "Doe",
			}
			for k, v := range want {
				if attrs[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, attrs[k], v)
				}
			}
			hok := path(a, [2]string{nsSAML, "AuthenticationStatement"}, [2]string{nsSAML, "Subject"}, [2]string{nsSAML, "SubjectConfirmation"},
				[2]string{nsDS, "KeyInfo"}, [2]string{nsDS, "X509Data"}, [2]string{nsDS, "X509Certificate"})
			if c, err := parseCertText(hok.Text()); err != nil || !c.Equal(p.hok.cert) {
				t.Errorf("AuthenticationStatement does not confirm the HOK certificate (%v)", err)
			}
			rs := s.Requests()
			if len(rs) != 1 || rs[0].Err != nil || !bytes.Equal(rs[0].Envelope, env) {
				t.Errorf("Requests() = %+v", rs)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("XMLSecVerifier left %d files in %s", len(entries), tmp)
			}
		})
	}
}

// assertionID is the ID attribute of a SAML 1.1 assertion, for xmlsec1.
var assertionID = xmlsectest.ID{Attr: "AssertionID", Element: nsSAML + ":Assertion"}

// xmlsecVerifyResponse checks the STS signature of an answer with xmlsec1.
func xmlsecVerifyResponse(t testing.TB, s *Server, body []byte) {
	t.Helper()
	xpath := "//*[local-name()='Assertion']/*[local-name()='Signature']"
	if err := xmlsectest.Verify(t, body, s.STSCert().Raw, xpath, assertionID); err != nil {
		t.Errorf("xmlsec1 refuses the STS signature: %v", err)
	}
	// And it must refuse a changed assertion.
	tampered := bytes.Replace(body, []byte(testNIHII), []byte("12345678901"), 1)
	if xmlsectest.Verify(t, tampered, s.STSCert().Raw, xpath, assertionID) == nil {
		t.Error("xmlsec1 accepts a tampered assertion")
	}
}

func TestTamperedRequests(t *testing.T) {
	p := getPKI(t)
	setText := func(xpath, text string) func(*etree.Document) {
		return func(d *etree.Document) { d.FindElement(xpath).SetText(text) }
	}
	nameIDPath := "//samlp:AttributeQuery/saml:Subject/saml:NameIdentifier"
	tests := []struct {
		name  string
		spec  reqSpec
		opts  Options
		check Check
		code  string
	}{
		{
			name:  "Body changed after signing",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.after = setText(nameIDPath, "CN=Mallory"); return s }(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name: "Timestamp changed after signing",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidEC)
				s.after = setText("//wsu:Timestamp/wsu:Expires", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
				return s
			}(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name:  "timestamp expired",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.created = time.Now().Add(-2 * time.Minute); return s }(),
			check: CheckTimestamp, code: CodeNotAuthenticated,
		},
		{
			name: "timestamp too old",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.created = time.Now().Add(-10 * time.Minute)
				s.expires = time.Now().Add(time.Hour)
				return s
			}(),
			check: CheckTimestamp, code: CodeNotAuthenticated,
		},
		{
			name:  "timestamp in the future",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.created = time.Now().Add(10 * time.Minute); return s }(),
			check: CheckTimestamp, code: CodeNotAuthenticated,
		},
		{
			name:  "ECDSA SignatureValue in DER",
			spec:  func() reqSpec { s := eidSpec(p, p.eidEC); s.derECDSA = true; return s }(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name:  "ECDSA key with rsa-sha256",
			spec:  func() reqSpec { s := eidSpec(p, p.eidEC); s.headerAlg = algRSASHA256; return s }(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name:  "wrong HOK in SubjectConfirmation",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.confirm = p.otherHOK.cert; return s }(),
			check: CheckHolderOfKey, code: CodeNotAuthenticated,
		},
		{
			name: "inner signature by another key",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.hok = credential{key: p.otherHOK.key, cert: p.hok.cert}
				return s
			}(),
			check: CheckInnerSignature, code: CodeNotAuthenticated,
		},
		{
			name: "Request changed after the inner signature",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.beforeHeader = func(d *etree.Document) {
					d.FindElement("//samlp:AttributeQuery/saml:AttributeDesignator").CreateAttr("AttributeName", "urn:evil")
				}
				return s
			}(),
			check: CheckInnerSignature, code: CodeNotAuthenticated,
		},
		{
			name:  "eID mode without inner signature",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.innerSig = false; return s }(),
			check: CheckInnerSignature, code: CodeNotAuthenticated,
		},
		{
			name:  "NameIdentifier is not the header certificate",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.nameID = mustDN(t, p.hok.cert.RawSubject); return s }(),
			check: CheckNameID, code: CodeNotAuthenticated,
		},
		{
			name:  "NameQualifier is not the header issuer",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.qualifier = "CN=Someone Else, C=BE"; return s }(),
			check: CheckNameID, code: CodeNotAuthenticated,
		},
		{
			name:  "NameIdentifier in RFC 2253 form, strict",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.nameID = p.eidRSA.cert.Subject.String(); return s }(),
			check: CheckNameID, code: CodeNotAuthenticated,
		},
		{
			name:  "asserted SSIN is not the HOK's",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.ssin = otherSSIN; return s }(),
			check: CheckSSIN, code: CodeNotAuthenticated,
		},
		{
			name:  "HOK from an untrusted CA",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.hok = p.untrustedHOK; return s }(),
			check: CheckCertificate, code: CodeNotAuthenticated,
		},
		{
			name:  "expired HOK",
			spec:  func() reqSpec { s := eidSpec(p, p.eidRSA); s.hok = p.expiredHOK; return s }(),
			check: CheckCertificate, code: CodeNotAuthenticated,
		},
		{
			name: "second Body with the signed wsu:Id (wrapping)",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.after = func(d *etree.Document) {
					hdr := d.FindElement("//soapenv:Header")
					hdr.AddChild(d.FindElement("//soapenv:Body").Copy())
				}
				return s
			}(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name: "no Timestamp reference",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.beforeHeader = func(d *etree.Document) {
					si := d.FindElement("//wsse:Security/ds:Signature/ds:SignedInfo")
					si.RemoveChild(si.FindElement("./ds:Reference[@URI='#TS-1']"))
				}
				return s
			}(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
		{
			name: "no RequestID",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.after = func(d *etree.Document) { d.FindElement("//samlp:Request").RemoveAttr("RequestID") }
				return s
			}(),
			check: CheckMalformed, code: CodeXSD,
		},
		{
			name: "no Security header",
			spec: func() reqSpec {
				s := eidSpec(p, p.eidRSA)
				s.after = func(d *etree.Document) { d.Root().RemoveChild(d.FindElement("//soapenv:Header")) }
				return s
			}(),
			check: CheckHeaderSignature, code: CodeNotAuthenticated,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.opts)
			env, _ := build(t, tt.spec)
			resp, body := post(t, s, env)
			if got := faultCode(t, resp, body); got != tt.code {
				t.Errorf("fault code %s, want %s", got, tt.code)
			}
			rs := s.Requests()
			var re *RequestError
			if len(rs) != 1 || !errors.As(rs[0].Err, &re) {
				t.Fatalf("Requests() = %+v, want one *RequestError", rs)
			}
			if re.Check != tt.check || re.Kind() != string(tt.check) {
				t.Errorf("rejected by %s (%v), want %s", re.Check, re, tt.check)
			}
		})
	}
}

func TestXMLSecVerifier(t *testing.T) {
	needXMLSec(t)
	p := getPKI(t)
	tests := []struct {
		name string
		spec reqSpec
		want string // failing signature, "" if valid
	}{
		{"valid eID ECDSA", eidSpec(p, p.eidEC), ""},
		{"valid fallback", fallbackSpec(p), ""},
		{"Body changed", func() reqSpec {
			s := eidSpec(p, p.eidRSA)
			s.after = func(d *etree.Document) { d.FindElement("//saml:AttributeValue").SetText(otherSSIN) }
			return s
		}(), "header"},
		{"Request changed after the inner signature", func() reqSpec {
			s := eidSpec(p, p.eidRSA)
			s.beforeHeader = func(d *etree.Document) { d.FindElement("//saml:AttributeValue").SetText(otherSSIN) }
			return s
		}(), "request"},
		{"ECDSA SignatureValue in DER", func() reqSpec { s := eidSpec(p, p.eidEC); s.derECDSA = true; return s }(), "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// xmlsec1 splits file arguments at commas.
			tmp := filepath.Join(t.TempDir(), "a,b")
			if err := os.Mkdir(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			env, _ := build(t, tt.spec)
			err := XMLSecVerifier(tmp)(env)
			var xe *XMLSecError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("xmlsec1 refuses a valid request: %v", err)
			case tt.want != "" && !errors.As(err, &xe):
				t.Errorf("err = %v, want *XMLSecError", err)
			case tt.want != "" && (xe.Signature != tt.want || xe.Kind() != "xmlsec-verify"):
				t.Errorf("xmlsec1 failed on the %s signature, want %s: %v", xe.Signature, tt.want, err)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("%d files left in %s", len(entries), tmp)
			}
		})
	}
}

func TestExternalVerifierRefusal(t *testing.T) {
	p := getPKI(t)
	refusal := errors.New("refused by the test")
	s := newServer(t, Options{ExternalVerifier: func([]byte) error { return refusal }})
	env, _ := build(t, eidSpec(p, p.eidRSA))
	resp, body := post(t, s, env)
	if got := faultCode(t, resp, body); got != CodeNotAuthenticated {
		t.Errorf("fault %s, want %s", got, CodeNotAuthenticated)
	}
	var re *RequestError
	if err := s.Requests()[0].Err; !errors.As(err, &re) || re.Check != CheckExternal || !errors.Is(err, refusal) {
		t.Errorf("Err = %v, want the external refusal", err)
	}
}

func TestLenientNameID(t *testing.T) {
	p := getPKI(t)
	s := newServer(t, Options{DisableStrictNameID: true})
	spec := eidSpec(p, p.eidRSA)
	// Go's RFC 2253 form: other order, SERIALNUMBER keyword, no quotes.
	spec.nameID = p.eidRSA.cert.Subject.String()
	spec.qualifier = p.eidRSA.cert.Issuer.String()
	env, id := build(t, spec)
	resp, body := post(t, s, env)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %v", resp.StatusCode, s.Requests()[0].Err)
	}
	successAssertion(t, s, body, id)

	spec.nameID = mustDN(t, p.hok.cert.RawSubject)
	env, _ = build(t, spec)
	resp, body = post(t, s, env)
	if got := faultCode(t, resp, body); got != CodeNotAuthenticated {
		t.Errorf("another subject: fault %s, want %s", got, CodeNotAuthenticated)
	}
}

func TestNotSTSRequests(t *testing.T) {
	p := getPKI(t)
	valid, _ := build(t, eidSpec(p, p.eidRSA))
	tests := []struct {
		name        string
		body        []byte
		contentType string
		action      string
		code        string
		check       Check
	}{
		{"not XML", []byte("<soapenv:Envelope"), "", "", CodeMalformed, CheckMalformed},
		{"not SOAP", []byte(`<Envelope xmlns="urn:other"/>`), "", "", CodeNotSOAP, CheckMalformed},
		{"no Body", []byte(`<s:Envelope xmlns:s="` + nsSOAP + `"><s:Header/></s:Envelope>`), "", "", CodeNoBody, CheckMalformed},
		{"no samlp:Request", []byte(`<s:Envelope xmlns:s="` + nsSOAP + `"><s:Body><x/></s:Body></s:Envelope>`), "", "", CodeXSD, CheckMalformed},
		{"SOAP 1.2 content type", valid, "application/soap+xml; charset=utf-8", "", CodeNotSOAP, CheckTransport},
		{"wrong SOAPAction", valid, "", "urn:other", CodeWSDL, CheckTransport},
		{"no SOAPAction", valid, "", "-", CodeWSDL, CheckTransport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{})
			req, err := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", cmp.Or(tt.contentType, "text/xml; charset=utf-8"))
			if tt.action != "-" {
				req.Header.Set("SOAPAction", cmp.Or(tt.action, soapAction))
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got := faultCode(t, resp, body); got != tt.code {
				t.Errorf("fault %s, want %s", got, tt.code)
			}
			var re *RequestError
			if err := s.Requests()[0].Err; !errors.As(err, &re) || re.Check != tt.check {
				t.Errorf("Err = %v, want check %s", err, tt.check)
			}
		})
	}

	s := newServer(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(valid))
	req.Header.Set("Content-Type", contentTypeXML)
	req.Header.Set("SOAPAction", soapActionTC)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.Requests()[0].Err != nil {
		t.Errorf("the Technical Connector's SOAPAction: HTTP %d, %v", resp.StatusCode, s.Requests()[0].Err)
	}

	resp, err = s.Client().Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
}

func TestWaitRequestsGivesUp(t *testing.T) {
	s := newServer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := s.WaitRequests(ctx, 1); !errors.Is(err, context.Canceled) || r != nil {
		t.Fatalf("WaitRequests with no request = %v, %v; want context.Canceled", r, err)
	}
	if r, err := s.WaitRequests(ctx, 0); err != nil || len(r) != 0 {
		t.Fatalf("WaitRequests(0) = %v, %v", r, err)
	}
}
