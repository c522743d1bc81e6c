//go:build unix

package soap

import "golang.org/x/sys/unix"

// oNoFollow makes opening a symlink fail; O_NONBLOCK keeps a planted FIFO
// from blocking the open.
const oNoFollow = unix.O_NOFOLLOW | unix.O_NONBLOCK
