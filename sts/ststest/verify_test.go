package ststest

import (
	"bytes"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestCertifiedAttributes(t *testing.T) {
	p := getPKI(t)
	const (
		physioBoolean = "urn:be:fgov:person:ssin:ehealth:1.0:professional:physiotherapist:boolean"
		physioNIHII   = "urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11"
		fpsphBoolean  = "urn:be:fgov:person:ssin:ehealth:1.0:fpsph:physiotherapist:boolean"
	)
	s := newServer(t, Options{
		NIHII:      "54321098765",
		GivenName:  "Jane",
		Surname:    "Roe",
		Attributes: map[string]string{fpsphBoolean: "false", doctorBoolean: "true"},
	})
	spec := fallbackSpec(p)
	spec.designators = []string{physioBoolean, physioNIHII, fpsphBoolean, givenNameAttr, surnameAttr, physioNIHII}
	env, id := build(t, spec)
	_, body := post(t, s, env)
	got := attributes(successAssertion(t, s, body, id))
	want := map[string]string{
		attrHolderSSIN: testSSIN, attrPersonSSIN: testSSIN,
		physioBoolean: "true", physioNIHII: "54321098765", fpsphBoolean: "false", givenNameAttr: "Jane", surnameAttr: "Roe",
	}
	if len(got) != len(want) {
		t.Errorf("attributes %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if n := bytes.Count(body, []byte(physioNIHII)); n != 1 {
		t.Errorf("%s answered %d times", physioNIHII, n)
	}
	if prof := s.Requests()[0].Quality; prof != "physiotherapist" {
		t.Errorf("Quality %q", prof)
	}
}

func TestRequestTooLarge(t *testing.T) {
	s := newServer(t, Options{})
	resp, _ := post(t, s, bytes.Repeat([]byte(" "), maxRequestBytes+1))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("HTTP %d, want 413", resp.StatusCode)
	}
}

// FuzzVerify checks that no input panics the verifier and that every
// refusal is a *RequestError.
func FuzzVerify(f *testing.F) {
	p := getPKI(f)
	valid, _ := build(f, eidSpec(p, p.eidEC))
	fallback, _ := build(f, fallbackSpec(p))
	f.Add(valid)
	f.Add(fallback)
	f.Add(bytes.Replace(valid, []byte("ds:Signature"), []byte("ds:Signatur"), 2))
	f.Add([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><p:Request xmlns:p="urn:oasis:names:tc:SAML:1.0:protocol" RequestID="x"/></s:Body></s:Envelope>`))
	v := verifier{now: time.Now(), strictNameID: true}
	f.Fuzz(func(t *testing.T, envelope []byte) {
		_, err := v.verify(envelope)
		if _, ok := errors.AsType[*RequestError](err); err != nil && !ok {
			t.Errorf("untyped error %T: %v", err, err)
		}
	})
}

// BenchmarkVerify is the simulator's cost per request, without HTTP.
func BenchmarkVerify(b *testing.B) {
	p := getPKI(b)
	for _, tc := range []struct {
		name string
		spec reqSpec
	}{{"eID-ECDSA", eidSpec(p, p.eidEC)}, {"fallback-RSA", fallbackSpec(p)}} {
		env, _ := build(b, tc.spec)
		v := verifier{now: time.Now(), strictNameID: true}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := v.verify(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
