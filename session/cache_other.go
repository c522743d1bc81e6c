//go:build !unix

package session

import "io/fs"

// checkPrivate accepts any file: Windows has no Unix permission bits, and the
// state directory lies in the user's profile, whose ACL already keeps other
// users out.
func checkPrivate(fs.FileInfo) error { return nil }
