//go:build unix

package hostiletest

import (
	"syscall"
	"testing"
)

// FIFO plants a named pipe at path: what a hostile user may leave where a
// keystore, a setting, a state file, the log or the lock is expected.
// Nobody writes to it, so a blocking open or read would hang for ever.
func FIFO(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}
