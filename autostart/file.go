//go:build !windows

package autostart

import (
	"bytes"
	"errors"
	"io/fs"
	"os"

	"ehealth-tray/statefile"
)

// guiProgram is exe: only Windows has a console companion (registry_windows.go).
func guiProgram(exe string) string { return exe }

// writeFile atomically replaces path's content old with data, and leaves an
// unchanged file alone so that repeating an operation touches nothing.
func writeFile(op, path string, old, data []byte) error {
	if bytes.Equal(old, data) {
		return nil
	}
	if err := statefile.WriteAtomic(path, data); err != nil {
		return &Error{Op: op, Path: path, Err: err}
	}
	return nil
}

// removeFile removes path; a missing file is already what was asked.
func removeFile(op, path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &Error{Op: op, Path: path, Err: err}
	}
	return nil
}
