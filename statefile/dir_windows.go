package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// dirHandle is a verified state folder. Windows has no openat: files are
// named by path, after a check that the folder is not a reparse point
// (symlink or junction). Its owner is not checked: the folder lies in the
// user's profile, whose ACL keeps other users out.
type dirHandle struct {
	path string
}

// openDir verifies dir (see dirMode).
func openDir(dir string, mode dirMode) (*dirHandle, error) {
	// A failed mkdir is told apart below: what has the name may be refused.
	var mkErr error
	if mode&mkdir != 0 {
		mkErr = os.MkdirAll(dir, 0o700)
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && mkErr != nil:
		return nil, &DirError{Dir: dir, Reason: ReasonUnavailable, Err: mkErr}
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case err != nil:
		return nil, &DirError{Dir: dir, Reason: ReasonUnavailable, Err: err}
	case fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0:
		return nil, &DirError{Dir: dir, Reason: ReasonSymlink}
	case !fi.IsDir():
		return nil, &DirError{Dir: dir, Reason: ReasonNotFolder}
	}
	return &dirHandle{path: dir}, nil
}

func (d *dirHandle) close() {}

// createTemp creates a new file named prefix+random in the folder; O_EXCL
// never opens a name planted in the meantime.
func (d *dirHandle) createTemp(prefix string) (*os.File, string, error) {
	for range 10 {
		name := fmt.Sprintf("%s%016x", prefix, rand.Uint64())
		f, err := os.OpenFile(d.join(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return f, name, nil
	}
	return nil, "", &fs.PathError{Op: "create", Path: d.path, Err: fs.ErrExist}
}

// rename replaces to by from (MoveFileEx replaces a link, not its target),
// retried while another process (antivirus, backup) has the file open.
func (d *dirHandle) rename(from, to string) error {
	return retryBusyName(func() error { return os.Rename(d.join(from), d.join(to)) })
}

// remove deletes name, retried like rename.
func (d *dirHandle) remove(name string) error {
	return retryBusyName(func() error { return os.Remove(d.join(name)) })
}

func (d *dirHandle) sync() {}

func (d *dirHandle) join(name string) string { return filepath.Join(d.path, name) }
