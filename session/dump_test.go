package session

import (
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	hok, rsaID, ecID := keys(t)
	for name, id := range map[string]*keySigner{"rsa": rsaID, "ec": ecID} {
		r, err := BuildRequest(RequestParams{Identification: id, HOK: hok, SSIN: testSSIN, Quality: "physiotherapist"})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/sessov/"+name+".xml", r.Envelope, 0o644)
	}
	os.WriteFile("/tmp/sessov/hok.der", hok.cert.Raw, 0o644)
	os.WriteFile("/tmp/sessov/rsaid.der", rsaID.cert.Raw, 0o644)
	os.WriteFile("/tmp/sessov/ecid.der", ecID.cert.Raw, 0o644)
}
