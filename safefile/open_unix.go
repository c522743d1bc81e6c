//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openNoFollow opens path without following a final symlink (O_NOFOLLOW) and
// without waiting for the other end of a FIFO (O_NONBLOCK, which has no
// effect on a regular file).
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, perm)
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK) {
		// A symlink swapped in after the Lstat (EMLINK on FreeBSD).
		return nil, &NotRegularError{Path: path, Mode: fs.ModeSymlink}
	}
	return f, err
}
