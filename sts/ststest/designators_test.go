package ststest

import (
	"errors"
	"net/http"
	"slices"
	"testing"
)

// section5 is ehealth-protocol.md §5's table, written out again here so the
// simulator's copy is held against an independent transcription.
var section5 = map[string][]string{
	"doctor": {"urn:be:fgov:person:ssin:doctor:boolean", "urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname", "urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:doctor:boolean"},
	"physiotherapist": {"urn:be:fgov:person:ssin:ehealth:1.0:professional:physiotherapist:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:physiotherapist:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname", "urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:physiotherapist:boolean"},
	"nurse": {"urn:be:fgov:person:ssin:nurse:boolean", "urn:be:fgov:person:ssin:ehealth:1.0:nurse:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:nurse:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname", "urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:nurse:boolean"},
	"dentist": {"urn:be:fgov:person:ssin:ehealth:1.0:professional:dentist:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:dentist:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:dentist:boolean"},
	"midwife": {"urn:be:fgov:person:ssin:ehealth:1.0:professional:midwife:boolean",
		"urn:be:fgov:person:ssin:ehealth:1.0:nihii:midwife:nihii11",
		"urn:be:fgov:person:ssin:ehealth:1.0:givenname", "urn:be:fgov:person:ssin:ehealth:1.0:surname",
		"urn:be:fgov:person:ssin:ehealth:1.0:fpsph:midwife:boolean"},
}

func TestDesignatorTable(t *testing.T) {
	if got := Qualities(); !slices.Equal(got, []string{"dentist", "doctor", "midwife", "nurse", "physiotherapist"}) {
		t.Errorf("Qualities() = %v", got)
	}
	for prof, want := range section5 {
		if got := Designators(prof); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", prof, got, want)
		}
	}
	if Designators("surgeon") != nil {
		t.Error("an unknown profession has designators")
	}
}

func TestDesignators(t *testing.T) {
	p := getPKI(t)
	for prof, names := range section5 {
		t.Run(prof, func(t *testing.T) {
			s := newServer(t, Options{})
			spec := fallbackSpec(p)
			spec.designators = append(slices.Clone(names), names[0]) // a duplicate is harmless
			env, id := build(t, spec)
			_, body := post(t, s, env)
			got := attributes(successAssertion(t, s, body, id))
			for _, n := range names {
				if got[n] == "" {
					t.Errorf("%s not answered", n)
				}
			}
			if r := s.Requests()[0]; r.Err != nil || r.Quality != prof {
				t.Errorf("Quality %q, err %v", r.Quality, r.Err)
			}
		})
	}

	nurse := section5["nurse"]
	refused := []struct {
		name    string
		names   []string
		lenient bool
	}{
		{"nurse's old boolean", append([]string{"urn:be:fgov:person:ssin:ehealth:1.0:professional:nurse:boolean"}, nurse[1:]...), false},
		{"nurse's old boolean, lenient", append([]string{"urn:be:fgov:person:ssin:ehealth:1.0:professional:nurse:boolean"}, nurse[1:]...), true},
		{"nurse without the second nihii11", slices.Delete(slices.Clone(nurse), 2, 3), false},
		{"dentist with names", append(slices.Clone(section5["dentist"]), givenNameAttr, surnameAttr), false},
		{"doctor without fpsph", doctorDesignators[:4], false},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{LenientDesignators: tt.lenient})
			spec := fallbackSpec(p)
			spec.designators = tt.names
			env, id := build(t, spec)
			resp, body := post(t, s, env)
			r, as := topAssertions(t, body)
			st := child(r, nsSAMLP, "Status")
			if resp.StatusCode != http.StatusOK || len(as) != 0 || r.SelectAttrValue("InResponseTo", "") != id ||
				child(st, nsSAMLP, "StatusCode").SelectAttrValue("Value", "") != "samlp:Requester" ||
				child(st, nsSAMLP, "StatusMessage").Text() == "" {
				t.Errorf("not a samlp:Requester refusal:\n%s", body)
			}
			if re, ok := errors.AsType[*RequestError](s.Requests()[0].Err); !ok || re.Check != CheckDesignators {
				t.Errorf("Err = %v", s.Requests()[0].Err)
			}
		})
	}

	s := newServer(t, Options{LenientDesignators: true})
	spec := fallbackSpec(p)
	spec.designators = append(slices.Clone(section5["dentist"]), givenNameAttr)
	env, id := build(t, spec)
	_, body := post(t, s, env)
	if got := attributes(successAssertion(t, s, body, id)); got[givenNameAttr] != "John" {
		t.Errorf("lenient: attributes %v", got)
	}
	if r := s.Requests()[0]; r.Err != nil || r.Quality != "" {
		t.Errorf("lenient: Quality %q, err %v", r.Quality, r.Err)
	}
}
