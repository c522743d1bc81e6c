package ststest

import "fmt"

// Check names the verification step a request failed.
type Check string

const (
	CheckTransport       Check = "transport"        // HTTP method, Content-Type, SOAPAction
	CheckMalformed       Check = "malformed"        // not XML, not SOAP, missing elements or bad values
	CheckHeaderSignature Check = "header-signature" // WS-Security signature, BST, references
	CheckTimestamp       Check = "timestamp"        // wsu:Timestamp not fresh
	CheckCertificate     Check = "certificate"      // expired or untrusted certificate
	CheckInnerSignature  Check = "inner-signature"  // enveloped signature on samlp:Request
	CheckHolderOfKey     Check = "holder-of-key"    // HOK certificate mismatch
	CheckNameID          Check = "name-identifier"  // NameIdentifier / NameQualifier ≠ header certificate
	CheckSSIN            Check = "ssin"             // asserted SSIN ≠ SSIN of the HOK certificate
	CheckDesignators     Check = "designators"      // AttributeDesignators unknown or not one profession's list
	CheckExternal        Check = "external"         // Options.ExternalVerifier refused the envelope
)

// SOA fault codes the simulator answers with (ehealth-protocol.md §6).
const (
	CodeServiceError      = "SOA-00001"
	CodeNotAuthenticated  = "SOA-01001"
	CodeNotAuthorized     = "SOA-01002"
	CodeUnavailable       = "SOA-02001"
	CodeTemporarilyDown   = "SOA-02002"
	CodeMalformed         = "SOA-03001"
	CodeNotSOAP           = "SOA-03002"
	CodeNoBody            = "SOA-03003"
	CodeWSI               = "SOA-03004"
	CodeWSDL              = "SOA-03005"
	CodeXSD               = "SOA-03006"
	CodeContentValidation = "SOA-03007"
)

// faultMessages are the faultstrings answered per SOA code, modelled on the
// eHealth ESB's (exact production wording unconfirmed).
var faultMessages = map[string]string{
	CodeServiceError:      "Unexpected error in the service.",
	CodeNotAuthenticated:  "Call not authenticated.",
	CodeNotAuthorized:     "Call not authorized.",
	CodeUnavailable:       "Service is not available. Please contact service desk.",
	CodeTemporarilyDown:   "Service is temporarily not available. Please try later.",
	CodeMalformed:         "Malformed message.",
	CodeNotSOAP:           "Message must be SOAP.",
	CodeNoBody:            "Message must contain SOAP body.",
	CodeWSI:               "WS-I compliance failure.",
	CodeWSDL:              "WSDL compliance failure.",
	CodeXSD:               "XSD compliance failure.",
	CodeContentValidation: "Message content validation failure.",
}

// faultMessage is the standard message for code, or a generic one.
func faultMessage(code string) string {
	if m, ok := faultMessages[code]; ok {
		return m
	}
	return faultMessages[CodeServiceError]
}

// RequestError is why the simulator rejected a request: the check that failed,
// the SOA code it answered with (for CheckDesignators, the samlp StatusCode)
// and the precise reason (which the real STS would not disclose; the SOAP
// fault carries only the code's message, the status refusal the reason).
type RequestError struct {
	Check  Check
	Code   string
	Reason string
	Err    error
}

func (e *RequestError) Error() string {
	s := fmt.Sprintf("sts simulator: %s (%s): %s", e.Check, e.Code, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *RequestError) Unwrap() error { return e.Err }

// Kind is the failed check, e.g. "header-signature".
func (e *RequestError) Kind() string { return string(e.Check) }

func reject(check Check, code, reason string, err error) *RequestError {
	return &RequestError{Check: check, Code: code, Reason: reason, Err: err}
}

// Shorthands for the two families the verifier uses most.
func unauthenticated(check Check, reason string, err error) *RequestError {
	return reject(check, CodeNotAuthenticated, reason, err)
}

func malformed(code, reason string) *RequestError {
	return reject(CheckMalformed, code, reason, nil)
}
