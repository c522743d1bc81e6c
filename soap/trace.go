package soap

import (
	"path/filepath"

	"ehealth-tray/statefile"
)

// trace writes data to TraceDir/<TraceName>-<what>.xml. A trace that cannot
// be written is logged, never fatal: it is a diagnostic.
func (c *Client) trace(what string, data []byte) {
	if c.traceDir == "" {
		return
	}
	path := c.tracePath(what)
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
	if err := statefile.Remove(c.tracePath(what)); err != nil {
		c.log.Warn("cannot remove the old trace file", "path", c.tracePath(what), "err", err)
	}
}

func (c *Client) tracePath(what string) string {
	return filepath.Join(c.traceDir, c.traceName+"-"+what+".xml")
}

// writeTrace writes path (in dir) as the state files are written: dir made
// 0700 and the user's own, the file 0600, replaced atomically, never through
// a symlink or junction another user may have planted.
func writeTrace(dir, path string, data []byte) error {
	if err := statefile.PrepareDir(dir); err != nil {
		return err
	}
	return statefile.WriteAtomic(path, data)
}
