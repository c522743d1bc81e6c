package etk

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"ehealth-tray/errkind"
)

// TestRequestShape checks the request element by element: names,
// namespaces and an ApplicationID present and empty.
func TestRequestShape(t *testing.T) {
	doc := etree.NewDocument()
	doc.SetRoot(newRequest(identifier{Type: typeSSIN, Value: testSSIN}))
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	parsed := etree.NewDocument()
	if err := parsed.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, el := range parsed.FindElements("//*") {
		got = append(got, el.NamespaceURI()+" "+el.Tag+"="+el.Text())
	}
	want := []string{
		nsProtocol + " GetEtkRequest=",
		nsProtocol + " SearchCriteria=",
		nsProtocol + " Identifier=",
		nsProtocol + " Type=SSIN",
		nsProtocol + " Value=" + testSSIN,
		nsProtocol + " ApplicationID=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("request:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// answerXML is a GetEtkResponse as the depot writes it, around content.
func answerXML(status, content string) string {
	return `<etk:GetEtkResponse xmlns:etk="` + nsProtocol + `" xmlns:core="` + nsCore + `" Id="_1">` +
		`<core:Status><Code>` + status + `</Code><Message Lang="EN">msg</Message></core:Status>` + content +
		`</etk:GetEtkResponse>`
}

func parse(t testing.TB, xml string) (answer, error) {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	return parseAnswer(doc.Root())
}

func TestParseAnswer(t *testing.T) {
	etk := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789"))
	wrapped := etk[:40] + "\n  " + etk[40:]
	a, err := parse(t, answerXML("200", `<etk:ETK>`+wrapped+`</etk:ETK>`))
	if err != nil || !bytes.HasPrefix(a.etk, []byte("0123456789")) {
		t.Fatalf("ETK on two lines: %q, %v", a.etk, err)
	}
	a, err = parse(t, answerXML("200", `<etk:Error><etk:Code>NO_MATCHING_ETK</etk:Code><etk:Message>none</etk:Message></etk:Error>`))
	if err != nil || !a.notFound {
		t.Fatalf("NO_MATCHING_ETK: %+v, %v", a, err)
	}
	a, err = parse(t, answerXML("200", `<etk:MatchingEtk><etk:Identifier><etk:Type>SSIN</etk:Type><etk:Value>1</etk:Value><etk:ApplicationID>A</etk:ApplicationID></etk:Identifier></etk:MatchingEtk>`))
	if err != nil || len(a.matching) != 1 || a.matching[0] != (identifier{"SSIN", "1", "A"}) {
		t.Fatalf("MatchingEtk: %+v, %v", a, err)
	}

	for name, xml := range map[string]string{
		"status 100":          answerXML("100", `<etk:ETK>`+etk+`</etk:ETK>`),
		"no status":           `<etk:GetEtkResponse xmlns:etk="` + nsProtocol + `"><etk:ETK>` + etk + `</etk:ETK></etk:GetEtkResponse>`,
		"status not first":    `<etk:GetEtkResponse xmlns:etk="` + nsProtocol + `" xmlns:core="` + nsCore + `"><etk:ETK>` + etk + `</etk:ETK><core:Status><Code>200</Code></core:Status></etk:GetEtkResponse>`,
		"empty":               answerXML("200", ""),
		"ETK and Error":       answerXML("200", `<etk:ETK>`+etk+`</etk:ETK><etk:Error><etk:Code>NO_MATCHING_ETK</etk:Code></etk:Error>`),
		"ETK not base64":      answerXML("200", `<etk:ETK>!!not base64!!</etk:ETK>`),
		"ETK in no namespace": answerXML("200", `<ETK>`+etk+`</ETK>`),
		"another element":     `<GetEtkResponse xmlns="urn:other"/>`,
		"other error":         answerXML("200", `<etk:Error><etk:Code>INVALID_SSIN_NUMBER</etk:Code><etk:Message>bad</etk:Message></etk:Error>`),
		"bidi override":       answerXML("200", `<etk:Error><etk:Code>X&#x202e;gnp.exe</etk:Code></etk:Error>`),
	} {
		_, err := parse(t, xml)
		if errkind.Of(err) != "etk-response" {
			t.Errorf("%s: %v, want etk-response", name, err)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x202e) {
			t.Errorf("%s: the error carries a bidirectional override: %q", name, err)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	etk := base64.StdEncoding.EncodeToString(cheapETK(f))
	f.Add(answerXML("200", `<etk:ETK>`+etk+`</etk:ETK>`))
	f.Add(answerXML("200", `<etk:Error><etk:Code>NO_MATCHING_ETK</etk:Code></etk:Error>`))
	f.Add(answerXML("200", `<etk:MatchingEtk><etk:Identifier><etk:Type>SSIN</etk:Type><etk:Value>1</etk:Value><etk:ApplicationID>A</etk:ApplicationID></etk:Identifier></etk:MatchingEtk>`))
	f.Add(answerXML("500", ""))
	f.Fuzz(func(t *testing.T, xml string) {
		doc := etree.NewDocument()
		if doc.ReadFromString(xml) != nil || doc.Root() == nil {
			return
		}
		a, err := parseAnswer(doc.Root())
		if err != nil {
			if k := errkind.Of(err); k != "etk-response" && k != "etk-unavailable" {
				t.Fatalf("error of kind %q: %v", k, err)
			}
			return
		}
		set := 0
		for _, ok := range []bool{a.etk != nil, len(a.matching) > 0, a.notFound} {
			if ok {
				set++
			}
		}
		if set != 1 || len(a.matching) > maxMatching || len(a.etk) > MaxETK {
			t.Fatalf("answer %+v", a)
		}
		if a.etk != nil {
			_, _ = DecodeETK(a.etk) // must not panic
		}
	})
}
