// Package statefile reads and writes ehealth-tray's small state files (the
// certificate record, the reminder ledger, the cached assertion). Writes are
// atomic, so a crash at any point leaves the old file or the new one, never a
// torn one; files are private to the user (dir 0700, files 0600).
package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrTooOpen means a state file can be read by other users; it is not trusted.
var ErrTooOpen = errors.New("state file is readable by other users")

// WriteAtomic writes data to path through a temp file in the same folder:
// write, fsync, rename over path, fsync the folder.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable; not all systems support it
		_ = d.Close()
	}
	return nil
}

func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// RemoveStaleTemps deletes temp files left by a WriteAtomic of path that was
// killed before its rename.
func RemoveStaleTemps(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), tempPrefix(path)) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// WriteJSON writes v as indented JSON, atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(path, data)
}

// ReadJSON reads path into v. A missing file leaves v untouched and returns
// an error wrapping fs.ErrNotExist. A file that others can read returns
// ErrTooOpen and is not decoded.
func ReadJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 && !permissiveFS() {
		return fmt.Errorf("%s (mode %v): %w", path, st.Mode().Perm(), ErrTooOpen)
	}
	if err := json.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// IsNotExist reports a missing state file.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
