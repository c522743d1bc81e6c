package etk

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"github.com/beevik/etree"
)

// Namespaces of GetEtk (ehealth-protocol.md §11): every request element is in
// nsProtocol; the response's Status is in nsCore, its Code and Message in no
// namespace.
const (
	nsProtocol = "urn:be:fgov:ehealth:etkdepot:1_0:protocol"
	nsCore     = "urn:be:fgov:ehealth:commons:1_0:core"
)

// Identifier types and the codes of the depot this package knows.
const (
	typeSSIN      = "SSIN"
	statusSuccess = "200"
	noMatchingETK = "NO_MATCHING_ETK"
)

// Bounds on what one answer may make the client do.
const (
	maxMatching = 16  // MatchingEtk entries followed
	maxText     = 200 // characters of a depot code or message kept
)

// identifier is an EtkDepot IdentifierType.
type identifier struct {
	Type, Value, ApplicationID string
}

// newRequest is the GetEtkRequest for id; ApplicationID is always present,
// empty for the personal ETK.
func newRequest(id identifier) *etree.Element {
	req := etree.NewElement("GetEtkRequest")
	req.CreateAttr("xmlns", nsProtocol)
	ident := req.CreateElement("SearchCriteria").CreateElement("Identifier")
	ident.CreateElement("Type").SetText(id.Type)
	ident.CreateElement("Value").SetText(id.Value)
	ident.CreateElement("ApplicationID").SetText(id.ApplicationID)
	return req
}

// answer is a GetEtkResponse with status 200: exactly one of its fields is
// set.
type answer struct {
	etk      []byte       // the ETK, base64-decoded
	matching []identifier // MatchingEtk, one Identifier each
	notFound bool         // Error NO_MATCHING_ETK
}

// parseAnswer reads the payload of the depot's SOAP Body. A status other than
// 200 is an *UnavailableError (5xx) or a *ResponseError, and so is an Error
// other than NO_MATCHING_ETK or an answer that is no GetEtkResponse.
func parseAnswer(payload *etree.Element) (answer, error) {
	if !is(payload, nsProtocol, "GetEtkResponse") {
		return answer{}, &ResponseError{Reason: fmt.Sprintf("{%s}%s instead of GetEtkResponse", payload.NamespaceURI(), payload.Tag)}
	}
	if err := checkStatus(payload); err != nil {
		return answer{}, err
	}
	var a answer
	kinds := 0
	for _, el := range payload.ChildElements() {
		if el.NamespaceURI() != nsProtocol {
			continue
		}
		var err error
		switch el.Tag {
		case "ETK":
			kinds++
			a.etk, err = decodeBase64(el.Text())
		case "MatchingEtk":
			if len(a.matching) == 0 {
				kinds++
			}
			if len(a.matching) == maxMatching {
				return answer{}, &ResponseError{Reason: fmt.Sprintf("more than %d MatchingEtk", maxMatching)}
			}
			a.matching = append(a.matching, firstIdentifier(el))
		case "Error":
			if !a.notFound {
				kinds++
			}
			a.notFound, err = true, depotError(el)
		}
		if err != nil {
			return answer{}, err
		}
	}
	switch {
	case kinds == 0:
		return answer{}, &ResponseError{Reason: "neither ETK, MatchingEtk nor Error"}
	case kinds > 1:
		return answer{}, &ResponseError{Reason: "more than one of ETK, MatchingEtk and Error"}
	}
	return a, nil
}

// checkStatus reads the Status, which must come first.
func checkStatus(payload *etree.Element) error {
	children := payload.ChildElements()
	if len(children) == 0 || !is(children[0], nsCore, "Status") {
		return &ResponseError{Reason: "no Status"}
	}
	code := clip(childText(children[0], "Code"))
	msg := clip(childText(children[0], "Message"))
	switch {
	case code == statusSuccess:
		return nil
	case strings.HasPrefix(code, "5"):
		return &UnavailableError{Code: code, Message: msg}
	}
	return &ResponseError{Reason: fmt.Sprintf("status %q: %s", code, msg)}
}

// depotError returns nil for NO_MATCHING_ETK, else a *ResponseError with the
// depot's code and message.
func depotError(el *etree.Element) error {
	code := clip(childText(el, "Code"))
	if code == noMatchingETK {
		return nil
	}
	return &ResponseError{Reason: fmt.Sprintf("depot error %q: %s", code, clip(childText(el, "Message")))}
}

// firstIdentifier is a MatchingEtk's first Identifier, the one the
// Technical Connector asks for; zero when it has none.
func firstIdentifier(el *etree.Element) identifier {
	for _, c := range el.ChildElements() {
		if is(c, nsProtocol, "Identifier") {
			return identifier{
				Type:          childText(c, "Type"),
				Value:         childText(c, "Value"),
				ApplicationID: childText(c, "ApplicationID"),
			}
		}
	}
	return identifier{}
}

// decodeBase64 decodes an xs:base64Binary, which may be broken into lines.
func decodeBase64(text string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, text)
	if base64.StdEncoding.DecodedLen(len(clean)) > MaxETK {
		return nil, &ResponseError{Reason: fmt.Sprintf("ETK of more than %d bytes", MaxETK)}
	}
	der, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, &ResponseError{Reason: "ETK is not base64", Err: err}
	}
	return der, nil
}

// is tells whether el is {space}local.
func is(el *etree.Element, space, local string) bool {
	return el.Tag == local && el.NamespaceURI() == space
}

// childText is the trimmed text of el's first child called local, whatever
// its namespace (the commons Status children have none, the depot's have
// the protocol's).
func childText(el *etree.Element, local string) string {
	for _, c := range el.ChildElements() {
		if c.Tag == local {
			return strings.TrimSpace(c.Text())
		}
	}
	return ""
}

// clip bounds a depot-given code or message kept in an error, and blanks
// what a terminal would interpret.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxText {
		return string(r[:maxText]) + "…"
	}
	return s
}
