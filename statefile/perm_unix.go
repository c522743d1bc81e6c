//go:build !windows

package statefile

// permissiveFS is false on Unix: permission bits are meaningful.
func permissiveFS() bool { return false }
