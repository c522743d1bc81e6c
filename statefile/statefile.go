// Package statefile reads and writes ehealth-tray's small state files (the
// certificate record, the reminder ledger, the cached assertion). Writes are
// atomic, so a crash at any point leaves the old file or the new one, never a
// torn one; files are private to the user (dir 0700, files 0600).
//
// The folder may be planted by someone else, so every call checks it first
// (a real folder, not a symlink, owned by the user: see PrepareDir), and
// files are created, replaced and removed relative to it, never through a
// symlink. Nothing is ever truncated, and every read is capped.
package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"ehealth-tray/safefile"
)

// MaxSize caps what ReadJSON reads: state files hold a few kilobytes.
const MaxSize = 1 << 20

var (
	// ErrTooOpen means a state file can be read by other users; it is not trusted.
	ErrTooOpen = errors.New("state file is readable by other users")
	// ErrOtherOwner means another user owns a state file; it is not trusted.
	ErrOtherOwner = errors.New("state file belongs to another user")
)

// ErrMemoryOnly is what the empty path gives: the app keeps that state in
// memory only, because its state folder was refused (PrepareDir). Reading it
// finds nothing (it also wraps fs.ErrNotExist); writing it fails; removing it
// does nothing. An empty path never means the working folder.
var ErrMemoryOnly = errors.New("state kept in memory only")

// WriteAtomic writes data to path through a temp file in the same folder:
// write, fsync, rename over path, fsync the folder. The folder is created
// (0700) when missing and refused with a *DirError when it is not the user's.
func WriteAtomic(path string, data []byte) error {
	if path == "" {
		return ErrMemoryOnly
	}
	d, err := openDir(filepath.Dir(path), mkdir)
	if err != nil {
		return err
	}
	defer d.close()
	tmp, tmpName, err := d.createTemp(tempPrefix(path))
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = d.remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := d.rename(tmpName, filepath.Base(path)); err != nil {
		return err
	}
	ok = true
	d.sync()
	return nil
}

func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// Remove deletes the state file at path; a missing file or folder is no
// error. A symlink is removed itself, never its target, and nothing is ever
// truncated instead: a file that cannot be removed is left as it is.
func Remove(path string) error {
	if path == "" {
		return nil
	}
	d, err := openDir(filepath.Dir(path), 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.remove(filepath.Base(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// RemoveStaleTemps deletes temp files left by a WriteAtomic of path that was
// killed before its rename.
func RemoveStaleTemps(path string) {
	if path == "" {
		return
	}
	d, err := openDir(filepath.Dir(path), 0)
	if err != nil {
		return
	}
	defer d.close()
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), tempPrefix(path)) {
			_ = d.remove(e.Name())
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

// ReadJSON reads path, capped at MaxSize, into v. A missing file leaves v
// untouched and returns an error wrapping fs.ErrNotExist.
func ReadJSON(path string, v any) error {
	data, err := ReadFile(path, MaxSize)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadFile reads the state file at path, at most limit bytes. It refuses, with
// the error saying why: a folder that is not the user's (*DirError), a
// symlink, FIFO or anything but a regular file (*safefile.NotRegularError), a
// file others can read (ErrTooOpen) or that another user owns
// (ErrOtherOwner), and a larger file (*safefile.TooLargeError). A missing
// file returns an error wrapping fs.ErrNotExist.
func ReadFile(path string, limit int64) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: %w", ErrMemoryOnly, fs.ErrNotExist)
	}
	d, err := openDir(filepath.Dir(path), 0)
	if err != nil {
		return nil, err
	}
	d.close()
	var f *os.File
	err = retrySharing(func() (err error) {
		f, err = safefile.Open(path)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := CheckPrivate(fi); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return safefile.ReadAll(f, path, limit)
}

// IsNotExist reports a missing state file.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
