package soap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// trace writes data to TraceDir/<TraceName>-<what>.xml. A trace that cannot
// be written is logged, never fatal: it is a diagnostic.
func (c *Client) trace(what string, data []byte) {
	if c.traceDir == "" {
		return
	}
	path := filepath.Join(c.traceDir, c.traceName+"-"+what+".xml")
	if err := writeTrace(c.traceDir, path, data); err != nil {
		c.log.Warn("cannot write the trace file", "path", path, "err", err)
	}
}

// clearTrace removes the trace file of a previous exchange (a symlink is
// removed, not followed), so that a trace never pairs this request with an
// older answer when none comes.
func (c *Client) clearTrace(what string) {
	if c.traceDir == "" {
		return
	}
	path := filepath.Join(c.traceDir, c.traceName+"-"+what+".xml")
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("cannot remove the old trace file", "path", path, "err", err)
	}
}

// writeTrace writes path (in dir) with mode 0600, dir being made 0700. Neither
// is followed when it is a symlink: another user may have planted one.
func writeTrace(dir, path string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder (%s)", dir, fi.Mode().Type())
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|oNoFollow, 0o600)
	if err != nil {
		return err
	}
	if err := checkTraceFile(f); err != nil {
		f.Close()
		return err
	}
	// Truncated only once known to be a regular file.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkTraceFile makes f, just opened, a private regular file.
func checkTraceFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", f.Name())
	}
	return f.Chmod(0o600)
}
