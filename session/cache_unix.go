//go:build unix

package session

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a cache that others could have read or written: the
// assertion is a credential, and a file planted by someone else is not ours.
func checkPrivate(fi fs.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: mode %v is open to group or others", errInsecureCache, perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%w: owned by another user", errInsecureCache)
	}
	return nil
}
