// Package softhsm makes SoftHSM2 tokens that stand in for a Belgian eID card:
// a token labelled like the card holding a key and its certificate under the
// same label. Tests use it, and so does the app's demo command.
//
// SoftHSM2 reads its configuration from SOFTHSM2_CONF when the module is
// initialised, so a process that loads the module must set it first (see
// Token.Env).
package softhsm

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// EnvVar is the environment variable SoftHSM2 reads its configuration from.
const EnvVar = "SOFTHSM2_CONF"

// Error kinds.
const (
	KindMissing = "softhsm-missing" // SoftHSM2 or OpenSC's pkcs11-tool is not installed
	KindFailed  = "softhsm-failed"  // a tool or file operation failed
)

// Error is a failure to make a token.
type Error struct {
	kind string
	msg  string
	err  error
}

func (e *Error) Error() string { return e.msg }

// Kind is KindMissing or KindFailed.
func (e *Error) Kind() string { return e.kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

func failed(err error, format string, args ...any) *Error {
	return &Error{kind: KindFailed, msg: fmt.Sprintf(format, args...), err: err}
}

// modulePaths are where distributions install the SoftHSM2 PKCS#11 module.
var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so", // Debian, Ubuntu
	"/usr/lib64/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/opt/homebrew/lib/softhsm/libsofthsm2.so",
}

// ModulePath returns the SoftHSM2 PKCS#11 module, or an error of kind
// KindMissing when SoftHSM2 is not installed.
func ModulePath() (string, error) {
	// The multiarch directory (/usr/lib/<triplet>/softhsm) comes after the
	// fixed paths, matched by pattern rather than by a copy of the
	// GOARCH-to-triplet table.
	multiarch, _ := filepath.Glob("/usr/lib/*-linux-gnu*/softhsm/libsofthsm2.so")
	tried := append(slicesClone(modulePaths), multiarch...)
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", &Error{kind: KindMissing, msg: fmt.Sprintf("SoftHSM2 is not installed (no libsofthsm2.so in %v)", modulePaths)}
}
