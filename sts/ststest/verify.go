package ststest

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

const (
	bstValueType    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	bstEncodingType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

	cmHolderOfKey    = "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key"
	nameIDFormatX509 = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
	nsIdentification = "urn:be:fgov:identification-namespace"
	nsCertified      = "urn:be:fgov:certified-namespace:ehealth"
	attrHolderSSIN   = "urn:be:fgov:ehealth:1.0:certificateholder:person:ssin"
	attrPersonSSIN   = "urn:be:fgov:person:ssin"

	// timestampSkew is how far wsu:Created may be from the server clock.
	timestampSkew = 5 * time.Minute
)

// designator is one saml:AttributeDesignator of the request.
type designator struct{ name, namespace string }

// request is what a verified request asks for.
type request struct {
	id string
	// javaSubject and javaIssuer are the header certificate's DNs as the
	// STS writes them back.
	javaSubject, javaIssuer string
	hok                     *x509.Certificate
	ssin                    string
	designators             []designator
	quality                 string
	// echo is the request's holder-of-key assertion, detached with its
	// namespace declarations.
	echo *etree.Element
}

// verifier checks requests the way the STS does.
type verifier struct {
	now                time.Time
	roots              *x509.CertPool // nil: no chain check
	strictNameID       bool
	lenientDesignators bool
}

// samlRequest holds the parts of samlp:Request the checks look at.
type samlRequest struct {
	el           *etree.Element
	id           string
	nameIDs      []*etree.Element // AttributeQuery's and the asserted one
	hok          *x509.Certificate
	assertion    *etree.Element // the HOK assertion
	assertionAtt *etree.Element // its AttributeStatement
	designators  []designator
}

// verify checks an envelope. It returns the request's RequestID even when a
// check fails after the body could be read, so that status answers can
// refer to it.
func (v *verifier) verify(envelope []byte) (*request, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(envelope); err != nil {
		return nil, malformed(CodeMalformed, "not well-formed XML: "+err.Error())
	}
	env := doc.Root()
	if !is(env, nsSOAP, "Envelope") {
		return nil, malformed(CodeNotSOAP, "root is not a SOAP 1.1 Envelope")
	}
	body := child(env, nsSOAP, "Body")
	if body == nil || len(body.ChildElements()) == 0 {
		return nil, malformed(CodeNoBody, "no SOAP Body or an empty one")
	}
	sr, err := parseRequest(body)
	if err != nil {
		return nil, err
	}
	req := &request{id: sr.id}

	bst, err := v.verifyHeader(env, body)
	if err != nil {
		return req, err
	}
	if err := v.verifyInner(sr, bst); err != nil {
		return req, err
	}
	if err := v.checkCertificate("holder-of-key", sr.hok); err != nil {
		return req, err
	}
	if err := v.checkNameIDs(sr.nameIDs, bst); err != nil {
		return req, err
	}
	ssin, err := checkSSIN(sr.assertionAtt, sr.hok)
	if err != nil {
		return req, err
	}
	if req.quality, err = checkDesignators(sr.designators, v.lenientDesignators); err != nil {
		return req, err
	}
	if err := req.fill(sr, bst, ssin); err != nil {
		return req, err
	}
	return req, nil
}

// fill completes a verified request with what the answer needs.
func (req *request) fill(sr *samlRequest, bst *x509.Certificate, ssin string) error {
	var err error
	if req.javaSubject, err = formatJavaDN(bst.RawSubject); err != nil {
		return unauthenticated(CheckNameID, "header certificate subject", err)
	}
	if req.javaIssuer, err = formatJavaDN(bst.RawIssuer); err != nil {
		return unauthenticated(CheckNameID, "header certificate issuer", err)
	}
	ctx, err := etreeutils.NSBuildParentContext(sr.assertion)
	if err == nil {
		req.echo, err = etreeutils.NSDetatch(ctx, sr.assertion)
	}
	if err != nil {
		return malformed(CodeContentValidation, "holder-of-key assertion namespaces: "+err.Error())
	}
	req.hok, req.ssin, req.designators = sr.hok, ssin, sr.designators
	return nil
}

// parseRequest reads the samlp:Request structure of ehealth-protocol.md §3.
func parseRequest(body *etree.Element) (*samlRequest, error) {
	el := child(body, nsSAMLP, "Request")
	if el == nil || len(body.ChildElements()) != 1 {
		return nil, malformed(CodeXSD, "Body must hold exactly one samlp:Request")
	}
	sr := &samlRequest{el: el, id: el.SelectAttrValue("RequestID", "")}
	if sr.id == "" {
		return nil, malformed(CodeXSD, "samlp:Request has no RequestID")
	}
	if el.SelectAttrValue("MajorVersion", "") != "1" || el.SelectAttrValue("MinorVersion", "") != "1" {
		return nil, malformed(CodeContentValidation, "samlp:Request must be SAML 1.1")
	}
	if _, err := time.Parse(time.RFC3339Nano, el.SelectAttrValue("IssueInstant", "")); err != nil {
		return nil, malformed(CodeContentValidation, "samlp:Request IssueInstant is not a dateTime")
	}
	query := child(el, nsSAMLP, "AttributeQuery")
	subject := child(query, nsSAML, "Subject")
	nameID := child(subject, nsSAML, "NameIdentifier")
	conf := child(subject, nsSAML, "SubjectConfirmation")
	if nameID == nil || conf == nil {
		return nil, malformed(CodeXSD, "AttributeQuery/Subject needs a NameIdentifier and a SubjectConfirmation")
	}
	if cm := child(conf, nsSAML, "ConfirmationMethod"); cm == nil || strings.TrimSpace(cm.Text()) != cmHolderOfKey {
		return nil, malformed(CodeContentValidation, "ConfirmationMethod must be holder-of-key")
	}
	assertion := path(conf, [2]string{nsSAML, "SubjectConfirmationData"}, [2]string{nsSAML, "Assertion"})
	sr.assertion = assertion
	sr.assertionAtt = child(assertion, nsSAML, "AttributeStatement")
	innerNameID := path(sr.assertionAtt, [2]string{nsSAML, "Subject"}, [2]string{nsSAML, "NameIdentifier"})
	if innerNameID == nil {
		return nil, malformed(CodeXSD, "SubjectConfirmationData needs an Assertion with an AttributeStatement/Subject/NameIdentifier")
	}
	sr.nameIDs = []*etree.Element{nameID, innerNameID}
	certEl := path(conf, [2]string{nsDS, "KeyInfo"}, [2]string{nsDS, "X509Data"}, [2]string{nsDS, "X509Certificate"})
	if certEl == nil {
		return nil, malformed(CodeXSD, "SubjectConfirmation needs ds:KeyInfo/ds:X509Data/ds:X509Certificate")
	}
	hok, err := parseCertText(certEl.Text())
	if err != nil {
		return nil, unauthenticated(CheckHolderOfKey, "SubjectConfirmation certificate", err)
	}
	sr.hok = hok
	for _, d := range children(query, nsSAML, "AttributeDesignator") {
		sr.designators = append(sr.designators, designator{
			name:      d.SelectAttrValue("AttributeName", ""),
			namespace: d.SelectAttrValue("AttributeNamespace", ""),
		})
	}
	return sr, nil
}

// verifyHeader checks the WS-Security header and returns the BST certificate.
func (v *verifier) verifyHeader(env, body *etree.Element) (*x509.Certificate, error) {
	sec := path(env, [2]string{nsSOAP, "Header"}, [2]string{nsWSSE, "Security"})
	if sec == nil {
		return nil, unauthenticated(CheckHeaderSignature, "no wsse:Security header", nil)
	}
	ts := child(sec, nsWSU, "Timestamp")
	bstEl := child(sec, nsWSSE, "BinarySecurityToken")
	sig := child(sec, nsDS, "Signature")
	if ts == nil || bstEl == nil || sig == nil {
		return nil, unauthenticated(CheckHeaderSignature, "wsse:Security needs one Timestamp, BinarySecurityToken and Signature", nil)
	}
	ids, err := wsuIDs(env)
	if err != nil {
		return nil, unauthenticated(CheckHeaderSignature, "wsu:Id", err)
	}
	if bstEl.SelectAttrValue("ValueType", "") != bstValueType || bstEl.SelectAttrValue("EncodingType", "") != bstEncodingType {
		return nil, unauthenticated(CheckHeaderSignature, "BinarySecurityToken must be X509v3 in Base64Binary", nil)
	}
	bst, err := parseCertText(bstEl.Text())
	if err != nil {
		return nil, unauthenticated(CheckHeaderSignature, "BinarySecurityToken", err)
	}
	bstID, _ := attrNS(bstEl, nsWSU, "Id")
	str := path(sig, [2]string{nsDS, "KeyInfo"}, [2]string{nsWSSE, "SecurityTokenReference"}, [2]string{nsWSSE, "Reference"})
	if str == nil || bstID == "" || str.SelectAttrValue("URI", "") != "#"+bstID {
		return nil, unauthenticated(CheckHeaderSignature, "KeyInfo must be a SecurityTokenReference to the BinarySecurityToken", nil)
	}
	resolve := func(uri string) (*etree.Element, error) {
		if el, ok := ids[strings.TrimPrefix(uri, "#")]; ok && strings.HasPrefix(uri, "#") {
			return el, nil
		}
		return nil, sigErrorf("reference %q does not name a wsu:Id", uri)
	}
	covered, err := verifySignature(sig, resolve, false, bst.PublicKey)
	if err != nil {
		return nil, unauthenticated(CheckHeaderSignature, "WS-Security signature", err)
	}
	if err := coversExactly(covered, body, ts, bstEl); err != nil {
		return nil, unauthenticated(CheckHeaderSignature, "WS-Security signature", err)
	}
	if err := v.checkTimestamp(ts); err != nil {
		return nil, err
	}
	if err := v.checkValidity("BinarySecurityToken", bst); err != nil {
		return nil, err
	}
	return bst, nil
}

// wsuIDs indexes the document's elements by wsu:Id. A duplicate Id is refused:
// it is how signature-wrapping attacks smuggle a second Body in.
func wsuIDs(root *etree.Element) (map[string]*etree.Element, error) {
	ids := map[string]*etree.Element{}
	var walk func(*etree.Element) error
	walk = func(el *etree.Element) error {
		if id, ok := attrNS(el, nsWSU, "Id"); ok {
			if _, dup := ids[id]; dup {
				return fmt.Errorf("duplicate wsu:Id %q", id)
			}
			ids[id] = el
		}
		for _, c := range el.ChildElements() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return ids, walk(root)
}

// coversExactly checks that the signature's References are exactly want.
func coversExactly(covered []*etree.Element, want ...*etree.Element) error {
	if len(covered) != len(want) {
		return fmt.Errorf("%d References, want %d (Body, Timestamp, BinarySecurityToken)", len(covered), len(want))
	}
	for _, w := range want {
		n := 0
		for _, c := range covered {
			if c == w {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s must be referenced exactly once", w.Tag)
		}
	}
	return nil
}

func (v *verifier) checkTimestamp(ts *etree.Element) error {
	parse := func(name string) (time.Time, error) {
		el := child(ts, nsWSU, name)
		if el == nil {
			return time.Time{}, malformed(CodeXSD, "wsu:Timestamp has no "+name)
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(el.Text()))
		if err != nil {
			return time.Time{}, malformed(CodeContentValidation, "wsu:"+name+" is not a dateTime")
		}
		return t, nil
	}
	created, err := parse("Created")
	if err != nil {
		return err
	}
	expires, err := parse("Expires")
	if err != nil {
		return err
	}
	switch {
	case created.Before(v.now.Add(-timestampSkew)) || created.After(v.now.Add(timestampSkew)):
		return unauthenticated(CheckTimestamp, fmt.Sprintf("Created %s is more than %s from the server clock %s", created.Format(time.RFC3339), timestampSkew, v.now.UTC().Format(time.RFC3339)), nil)
	case !expires.After(created):
		return unauthenticated(CheckTimestamp, "Expires is not after Created", nil)
	case !v.now.Before(expires):
		return unauthenticated(CheckTimestamp, "Timestamp expired at "+expires.Format(time.RFC3339), nil)
	}
	return nil
}

// verifyInner checks the enveloped signature on samlp:Request by the HOK key.
// The reference client leaves it out in fallback mode, where the header is
// already signed by the HOK key; that is accepted.
func (v *verifier) verifyInner(sr *samlRequest, bst *x509.Certificate) error {
	sigs := children(sr.el, nsDS, "Signature")
	if len(sigs) == 0 {
		if bst.Equal(sr.hok) {
			return nil
		}
		return unauthenticated(CheckInnerSignature, "no enveloped signature on samlp:Request, and the header certificate is not the holder-of-key certificate", nil)
	}
	if len(sigs) > 1 || sr.el.ChildElements()[0] != sigs[0] {
		return malformed(CodeXSD, "ds:Signature must be the first and only signature child of samlp:Request")
	}
	sig := sigs[0]
	certEl := path(sig, [2]string{nsDS, "KeyInfo"}, [2]string{nsDS, "X509Data"}, [2]string{nsDS, "X509Certificate"})
	if certEl == nil {
		return unauthenticated(CheckInnerSignature, "enveloped signature needs KeyInfo/X509Data/X509Certificate", nil)
	}
	cert, err := parseCertText(certEl.Text())
	if err != nil {
		return unauthenticated(CheckInnerSignature, "enveloped signature certificate", err)
	}
	resolve := func(uri string) (*etree.Element, error) {
		if uri != "#"+sr.id {
			return nil, sigErrorf("reference %q is not #RequestID", uri)
		}
		return sr.el, nil
	}
	covered, err := verifySignature(sig, resolve, true, cert.PublicKey)
	if err != nil {
		return unauthenticated(CheckInnerSignature, "samlp:Request signature", err)
	}
	if len(covered) != 1 {
		return unauthenticated(CheckInnerSignature, "samlp:Request signature must have one Reference", nil)
	}
	if !cert.Equal(sr.hok) {
		return unauthenticated(CheckHolderOfKey, "SubjectConfirmation certificate differs from the one that signed samlp:Request", nil)
	}
	return nil
}

func (v *verifier) checkValidity(what string, c *x509.Certificate) error {
	if v.now.Before(c.NotBefore) || v.now.After(c.NotAfter) {
		return unauthenticated(CheckCertificate, fmt.Sprintf("%s certificate is outside its validity %s – %s", what, c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)), nil)
	}
	return nil
}

// checkCertificate checks validity and, with trusted CAs, the chain.
func (v *verifier) checkCertificate(what string, c *x509.Certificate) error {
	if err := v.checkValidity(what, c); err != nil {
		return err
	}
	if v.roots == nil {
		return nil
	}
	_, err := c.Verify(x509.VerifyOptions{
		Roots:       v.roots,
		CurrentTime: v.now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return unauthenticated(CheckCertificate, what+" certificate does not chain to a trusted eHealth CA", err)
	}
	return nil
}

// checkNameIDs compares each NameIdentifier with the header certificate's
// subject and NameQualifier with its issuer, in Java's RFC 1779 form.
func (v *verifier) checkNameIDs(nameIDs []*etree.Element, bst *x509.Certificate) error {
	subject, err := formatDN(bst.RawSubject)
	if err != nil {
		return unauthenticated(CheckNameID, "header certificate subject", err)
	}
	issuer, err := formatDN(bst.RawIssuer)
	if err != nil {
		return unauthenticated(CheckNameID, "header certificate issuer", err)
	}
	same := sameDN
	if v.strictNameID {
		same = func(a, b string) bool { return a == b }
	}
	for _, n := range nameIDs {
		if f := n.SelectAttrValue("Format", ""); f != nameIDFormatX509 {
			return unauthenticated(CheckNameID, fmt.Sprintf("NameIdentifier Format %q, want %s", f, nameIDFormatX509), nil)
		}
		if got := strings.TrimSpace(n.Text()); !same(got, subject) {
			return unauthenticated(CheckNameID, fmt.Sprintf("NameIdentifier %q, header certificate subject is %q", got, subject), nil)
		}
		if got := n.SelectAttrValue("NameQualifier", ""); !same(got, issuer) {
			return unauthenticated(CheckNameID, fmt.Sprintf("NameQualifier %q, header certificate issuer is %q", got, issuer), nil)
		}
	}
	return nil
}

// checkSSIN checks that both asserted SSIN attributes carry the SSIN of the
// HOK certificate (CN=SSIN=… / OU=SSIN=…) and returns it.
func checkSSIN(statement *etree.Element, hok *x509.Certificate) (string, error) {
	certSSIN, err := subjectSSIN(hok)
	if err != nil {
		return "", unauthenticated(CheckSSIN, "holder-of-key certificate", err)
	}
	for _, name := range []string{attrHolderSSIN, attrPersonSSIN} {
		var values []string
		for _, a := range children(statement, nsSAML, "Attribute") {
			if a.SelectAttrValue("AttributeName", "") == name && a.SelectAttrValue("AttributeNamespace", "") == nsIdentification {
				for _, v := range children(a, nsSAML, "AttributeValue") {
					values = append(values, strings.TrimSpace(v.Text()))
				}
			}
		}
		if len(values) != 1 {
			return "", unauthenticated(CheckSSIN, fmt.Sprintf("want one asserted value of %s, got %d", name, len(values)), nil)
		}
		if values[0] != certSSIN {
			return "", unauthenticated(CheckSSIN, fmt.Sprintf("asserted %s %q, holder-of-key certificate is for %q", name, values[0], certSSIN), nil)
		}
	}
	return certSSIN, nil
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// subjectSSIN reads the SSIN from the CN=SSIN=… and OU=SSIN=… attributes.
func subjectSSIN(c *x509.Certificate) (string, error) {
	found := ""
	for _, n := range c.Subject.Names {
		if !n.Type.Equal(oidCN) && !n.Type.Equal(oidOU) {
			continue
		}
		s, _ := n.Value.(string)
		v, ok := strings.CutPrefix(s, "SSIN=")
		if !ok {
			continue
		}
		if found != "" && v != found {
			return "", fmt.Errorf("subject names two SSINs %q and %q", found, v)
		}
		found = v
	}
	if found == "" {
		return "", errors.New("subject has no SSIN=")
	}
	return found, nil
}

// parseCertText parses a base64 DER certificate from element text.
func parseCertText(s string) (*x509.Certificate, error) {
	der, err := decodeBase64(s)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
