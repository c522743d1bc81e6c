package app

import (
	"errors"

	"ehealth-tray/eid"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/prompt"
	"ehealth-tray/sts"
)

// kindMessages are the catalog messages of the error kinds a practitioner
// can meet, by Kind(). Messages with {{.Detail}} show the error's own
// (English, technical) text too, for the service desk.
var kindMessages = map[string]string{
	"wrong-password":        "error.wrong-password",
	"not-a-keystore":        "error.not-a-keystore",
	"no-authentication-key": "error.no-authentication-key",
	"unsupported-keystore":  "error.unsupported-keystore",
	"read-error":            "error.read-error",
	"invalid-niss":          "error.invalid-niss",
	"invalid-inami":         "error.invalid-inami",
	"module-not-found":      "error.module-not-found",
	"no-reader":             "error.no-reader",
	"no-card":               "error.no-card",
	"card-unknown":          "error.card-unknown",
	"card-removed":          "error.card-removed",
	"identity-mismatch":     "error.card-other-person",
	"pin-incorrect":         "error.pin-incorrect",
	"pin-locked":            "error.pin-locked",
	"key-not-found":         "error.key-not-found",
	"card-error":            "error.card-error",
	"network":               "error.network",
	"timeout":               "error.timeout",
	"sts-response":          "error.sts-response",
	"sts-signature":         "error.sts-signature",
	"request":               "error.request",
	"signing":               "error.signing",
	"config":                "error.config",
	"busy":                  "error.busy",
	errkind.Canceled:        "error.canceled",
	"no-dialog":             "error.no-dialog",
	"autostart":             "error.autostart",
}

// soaMessages explain eHealth's SOA error codes (ehealth-protocol.md §6).
var soaMessages = map[string]string{
	"SOA-00001": "soa.service-error",
	"SOA-01001": "soa.not-authenticated",
	"SOA-01002": "soa.not-authorized",
	"SOA-02001": "soa.unavailable",
	"SOA-02002": "soa.temporarily-unavailable",
	"SOA-03001": "soa.malformed",
	"SOA-03002": "soa.not-soap",
	"SOA-03003": "soa.no-body",
	"SOA-03004": "soa.not-wsi",
	"SOA-03005": "soa.not-wsdl",
	"SOA-03006": "soa.not-xsd",
	"SOA-03007": "soa.content",
}

// ErrorMessage is the plain-language text of an error for the status line,
// notifications and the CLI, in the localizer's language (nil = English). STS
// faults keep their code and message verbatim, next to the explanation.
// Errors that word themselves (i18n.Localized) come first; errors of no known
// kind show their own text.
func ErrorMessage(loc *i18n.Localizer, err error) string {
	if err == nil {
		return ""
	}
	var fault *sts.STSFault
	var status *sts.STSStatusError
	var own i18n.Localized
	var card *eid.Error
	var k interface{ Kind() string }
	switch {
	case errors.As(err, &own):
		return own.Localize(loc)
	case errors.As(err, &card) && card.Kind() == eid.KindPINIncorrect && card.TriesLeft() > 0:
		return loc.N("error.pin-tries-left", card.TriesLeft())
	case errors.As(err, &fault):
		return loc.T("error.sts-fault", map[string]any{"Code": fault.Code, "Message": fault.Message, "Explanation": ExplainSOA(loc, fault.Code)})
	case errors.As(err, &status):
		return loc.T("error.sts-status", map[string]any{"Code": status.Code, "Message": status.Message})
	case errors.Is(err, prompt.ErrNoProgram):
		return loc.T("error.no-dialog")
	case errors.As(err, &k) && kindMessages[k.Kind()] != "":
		return loc.T(kindMessages[k.Kind()], map[string]any{"Detail": err.Error()})
	}
	return err.Error()
}

// ExplainSOA says in plain language what an eHealth SOA error code means.
func ExplainSOA(loc *i18n.Localizer, code string) string {
	if id, ok := soaMessages[code]; ok {
		return loc.T(id)
	}
	return loc.T("soa.unknown")
}
