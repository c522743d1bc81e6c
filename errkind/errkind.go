// Package errkind reads the kind of an error: every error a practitioner
// can meet has a Kind() string method (the CLI's "kind", the key of its
// translated message), found anywhere in the wrapped chain.
package errkind

import "errors"

// Canceled is the one kind, spelt as Go's context.Canceled, of every error
// that ends what the practitioner (or a Stop) canceled: a PIN or password
// dialog closed, Ctrl+C, a session start stopped.
const Canceled = "canceled"

// Of returns the Kind() of the first error in err's chain that has one, or
// "" when none has.
func Of(err error) string {
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return k.Kind()
	}
	return ""
}
