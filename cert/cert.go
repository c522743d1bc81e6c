// Package cert finds, reads and checks eHealth keystores (.p12) and the
// identifiers that go with them (ehealth-protocol.md §8, §9).
//
// Discovery works from file names alone, since nothing else in a keystore is
// readable without its password. Decoding reads a keystore with its password
// and never writes to it. Status says whether a certificate is still usable,
// and ParseNISS and ParseINAMI check a practitioner's numbers.
package cert

// Environments of the eHealth platform.
const (
	Production = "production"
	Acceptance = "acceptance"
)

// Error is a sentinel error of this package. Returned errors wrap one of the
// sentinels below with details: test them with errors.Is, and read the CLI
// kind with errors.As on interface{ Kind() string }.
type Error struct {
	kind string
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Kind is the error kind shown by the CLI.
func (e *Error) Kind() string { return e.kind }

var (
	// ErrWrongPassword: the password does not open the keystore.
	ErrWrongPassword = &Error{"wrong-password", "wrong password"}
	// ErrNotKeystore: the data is not a PKCS#12 keystore, or a truncated or
	// corrupt one.
	ErrNotKeystore = &Error{"not-a-keystore", "not a PKCS#12 keystore, or a truncated one"}
	// ErrNoAuthenticationKey: the keystore opens but has no usable
	// "authentication" key with its certificate.
	ErrNoAuthenticationKey = &Error{"no-authentication-key", "no authentication key with its certificate in the keystore"}
	// ErrUnsupportedKeystore: a well-formed PKCS#12 file whose content this
	// program cannot read.
	ErrUnsupportedKeystore = &Error{"unsupported-keystore", "unsupported keystore content"}
	// ErrTrustedCertEntry: the keystore holds a trusted-certificate entry
	// added by Java's keytool -importcert, which the PKCS#12 decoder cannot read.
	ErrTrustedCertEntry = &Error{"unsupported-keystore",
		"the keystore holds a trusted-certificate entry added with keytool -importcert; use the file as eHealth delivered it"}
	// ErrRead: a keystore file or folder cannot be read. It wraps the
	// operating-system error, so errors.Is(err, fs.ErrNotExist) works.
	ErrRead = &Error{"read-error", "cannot read"}
	// ErrInvalidNISS: not a valid NISS (INSZ, SSIN).
	ErrInvalidNISS = &Error{"invalid-niss", "invalid NISS"}
	// ErrInvalidINAMI: not a valid INAMI (RIZIV, NIHII) number.
	ErrInvalidINAMI = &Error{"invalid-inami", "invalid INAMI number"}
)
