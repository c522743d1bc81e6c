package cert

import "errors"

// kindOf is the CLI kind of err, as the CLI reads it.
func kindOf(err error) string {
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return k.Kind()
	}
	return ""
}
