//go:build unix

package statefile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// CheckPrivate refuses a file that others could have read or written: an
// assertion is a credential, and a file planted by someone else is not ours.
func CheckPrivate(fi fs.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w (mode %v)", ErrTooOpen, perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
		return ErrOtherOwner
	}
	return nil
}
