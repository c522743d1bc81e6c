package ststest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// certified prefixes of the §5 attribute names.
const (
	ssinPrefix    = "urn:be:fgov:person:ssin:"
	ehealthPrefix = ssinPrefix + "ehealth:1.0:"
)

// qualityDesignators are the certified attributes each profession asks
// for, from ehealth-protocol.md §5 (written out in full, independently of
// the client's list, so that the two can be held against each other).
var qualityDesignators = map[string][]string{
	"doctor": {
		ssinPrefix + "doctor:boolean",
		ehealthPrefix + "doctor:nihii11",
		ehealthPrefix + "givenname",
		ehealthPrefix + "surname",
		ehealthPrefix + "fpsph:doctor:boolean",
	},
	"physiotherapist": {
		ehealthPrefix + "professional:physiotherapist:boolean",
		ehealthPrefix + "nihii:physiotherapist:nihii11",
		ehealthPrefix + "givenname",
		ehealthPrefix + "surname",
		ehealthPrefix + "fpsph:physiotherapist:boolean",
	},
	"nurse": {
		ssinPrefix + "nurse:boolean",
		ehealthPrefix + "nurse:nihii11",
		ehealthPrefix + "nihii:nurse:nihii11",
		ehealthPrefix + "givenname",
		ehealthPrefix + "surname",
		ehealthPrefix + "fpsph:nurse:boolean",
	},
	"dentist": {
		ehealthPrefix + "professional:dentist:boolean",
		ehealthPrefix + "nihii:dentist:nihii11",
		ehealthPrefix + "fpsph:dentist:boolean",
	},
	"midwife": {
		ehealthPrefix + "professional:midwife:boolean",
		ehealthPrefix + "nihii:midwife:nihii11",
		ehealthPrefix + "givenname",
		ehealthPrefix + "surname",
		ehealthPrefix + "fpsph:midwife:boolean",
	},
}

// knownCertified is every certified name of the table.
var knownCertified = func() map[string]bool {
	m := map[string]bool{}
	for _, names := range qualityDesignators {
		for _, n := range names {
			m[n] = true
		}
	}
	return m
}()

// Qualities are the professions of ehealth-protocol.md §5, sorted.
func Qualities() []string { return slices.Sorted(maps.Keys(qualityDesignators)) }

// Designators returns the certified attribute names (namespace
// urn:be:fgov:certified-namespace:ehealth) a profession asks for, as in
// ehealth-protocol.md §5; nil for an unknown profession. Every request also
// asks for the two identification attributes.
//
// The simulator accepts a request whose certified designators are exactly
// one profession's list (in any order, duplicates aside), and records that
// profession in Received. Unless Options.LenientDesignators is set, it
// refuses anything else with a samlp:Response whose StatusCode is
// samlp:Requester and whose StatusMessage names the problem: an unknown
// name (the real STS is expected to refuse what it cannot certify, as a
// SAML authority refuses a query it cannot answer; its exact wording is
// unknown), or a list that is no profession's (the simulator's own
// strictness, to catch a client that forgets or adds one). A designator in
// the identification namespace must be one of the two SSIN attributes.
func Designators(quality string) []string {
	return slices.Clone(qualityDesignators[quality])
}

// checkDesignators returns the profession whose list ds is.
func checkDesignators(ds []designator, lenient bool) (string, error) {
	asked := map[string]bool{}
	for _, d := range ds {
		switch {
		case d.namespace == nsIdentification && (d.name == attrHolderSSIN || d.name == attrPersonSSIN):
		case d.namespace == nsCertified && knownCertified[d.name]:
			asked[d.name] = true
		default:
			return "", refuseDesignators(fmt.Sprintf("Unknown attribute designator %s (namespace %s).", d.name, d.namespace))
		}
	}
	for _, p := range Qualities() {
		want := qualityDesignators[p]
		if len(asked) == len(want) && !slices.ContainsFunc(want, func(n string) bool { return !asked[n] }) {
			return p, nil
		}
	}
	if lenient {
		return "", nil
	}
	names := strings.Join(slices.Sorted(maps.Keys(asked)), ", ")
	if names == "" {
		names = "none"
	}
	return "", refuseDesignators("The requested attributes are not those of one profession: " + names + ".")
}

func refuseDesignators(reason string) *RequestError {
	return reject(CheckDesignators, defaultStatusCode, reason, nil)
}
