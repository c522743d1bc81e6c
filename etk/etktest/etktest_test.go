package etktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const ssin = "79021802145"

func post(t *testing.T, srv *Server, action, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func request(identifier string) string {
	return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<GetEtkRequest xmlns="urn:be:fgov:ehealth:etkdepot:1_0:protocol"><SearchCriteria>` + identifier +
		`</SearchCriteria></GetEtkRequest></soap:Body></soap:Envelope>`
}

func TestDepotReadsAndRecordsRequests(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	own := `<Identifier><Type>SSIN</Type><Value>` + ssin + `</Value><ApplicationID></ApplicationID></Identifier>`
	status, body := post(t, srv, `""`, request(own))
	if status != http.StatusOK || !strings.Contains(body, "NO_MATCHING_ETK") || !strings.Contains(body, "<Code>200</Code>") {
		t.Fatalf("nothing published: %d\n%s", status, body)
	}
	status, body = post(t, srv, `"urn:other"`, request(own))
	if status != http.StatusInternalServerError || !strings.Contains(body, "SOA-03002") {
		t.Fatalf("wrong SOAPAction: %d\n%s", status, body)
	}
	noAppID := `<Identifier><Type>SSIN</Type><Value>` + ssin + `</Value></Identifier>`
	if status, _ = post(t, srv, `""`, request(noAppID)); status != http.StatusOK {
		t.Fatalf("no ApplicationID: %d", status)
	}
	if status, _ = post(t, srv, `""`, request(own+own)); status != http.StatusInternalServerError {
		t.Fatalf("two identifiers: %d", status)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	if r := reqs[0]; r.Err != nil || r.Value != ssin || !r.ApplicationIDPresent || r.SOAPAction != `""` {
		t.Errorf("first request %+v", r)
	}
	if reqs[1].Err == nil || reqs[3].Err == nil {
		t.Error("refused requests recorded without their reason")
	}
	if r := reqs[2]; r.Err != nil || r.ApplicationIDPresent {
		t.Errorf("request without ApplicationID recorded as %+v", r)
	}
}

func TestDepotIsAHandler(t *testing.T) {
	d, err := NewDepot(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", rec.Code)
	}
	d.SetMatching(ssin, "", Identifier{Type: "SSIN", Value: ssin, ApplicationID: "app"})
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(request(`<Identifier><Type>SSIN</Type><Value>`+ssin+`</Value><ApplicationID/></Identifier>`)))
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("SOAPAction", `""`)
	d.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<etk:ApplicationID>app</etk:ApplicationID>") {
		t.Fatalf("MatchingEtk: %d\n%s", rec.Code, rec.Body)
	}
}
