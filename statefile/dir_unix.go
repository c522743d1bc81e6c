//go:build unix

package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"

	"golang.org/x/sys/unix"
)

// dirHandle is a verified state folder, held open so that every file is
// created, renamed and removed relative to it (openat): a folder swapped for
// a symlink after the check is never written through.
type dirHandle struct {
	path string
	fd   int
}

// openDir opens and verifies dir (see dirMode).
func openDir(dir string, mode dirMode) (*dirHandle, error) {
	// A failed mkdir is told apart below: what has the name may be refused.
	var mkErr error
	if mode&mkdir != 0 {
		mkErr = os.MkdirAll(dir, 0o700)
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	switch {
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.ENOTDIR):
		// Linux says ENOTDIR for a symlink opened O_DIRECTORY|O_NOFOLLOW.
		if fi, lerr := os.Lstat(dir); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, &DirError{Dir: dir, Reason: ReasonSymlink}
		}
		return nil, &DirError{Dir: dir, Reason: ReasonNotFolder}
	case errors.Is(err, unix.ENOENT) && mkErr != nil:
		return nil, &DirError{Dir: dir, Reason: ReasonUnavailable, Err: mkErr}
	case errors.Is(err, unix.ENOENT):
		return nil, &fs.PathError{Op: "open", Path: dir, Err: fs.ErrNotExist}
	case err != nil:
		return nil, &DirError{Dir: dir, Reason: ReasonUnavailable, Err: err}
	}
	d := &dirHandle{path: dir, fd: fd}
	if err := d.verify(mode&tighten != 0); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// verify checks that the open folder is owned by the user; tighten sets it
// to 0700 when it is more open (fchmod acts on what was opened, not on the
// path).
func (d *dirHandle) verify(tighten bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return &DirError{Dir: d.path, Reason: ReasonUnavailable, Err: err}
	}
	if int(st.Uid) != os.Geteuid() {
		return &DirError{Dir: d.path, Reason: ReasonOtherOwner}
	}
	if tighten && st.Mode&0o777 != 0o700 {
		if err := unix.Fchmod(d.fd, 0o700); err != nil {
			return &DirError{Dir: d.path, Reason: ReasonUnavailable, Err: err}
		}
	}
	return nil
}

func (d *dirHandle) close() { _ = unix.Close(d.fd) }

// createTemp creates a new private file named prefix+random in the folder.
// O_EXCL|O_NOFOLLOW: a name planted in the meantime is never opened.
func (d *dirHandle) createTemp(prefix string) (*os.File, string, error) {
	for range 10 {
		name := fmt.Sprintf("%s%016x", prefix, rand.Uint64())
		fd, err := unix.Openat(d.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return nil, "", &fs.PathError{Op: "create", Path: d.path, Err: err}
		}
		return os.NewFile(uintptr(fd), d.join(name)), name, nil
	}
	return nil, "", &fs.PathError{Op: "create", Path: d.path, Err: fs.ErrExist}
}

// rename replaces to by from; rename never follows a symlink at to.
func (d *dirHandle) rename(from, to string) error {
	if err := unix.Renameat(d.fd, from, d.fd, to); err != nil {
		return &os.LinkError{Op: "rename", Old: d.join(from), New: d.join(to), Err: err}
	}
	return nil
}

// remove deletes name; a symlink is removed itself, never its target.
func (d *dirHandle) remove(name string) error {
	if err := unix.Unlinkat(d.fd, name, 0); err != nil {
		return &fs.PathError{Op: "remove", Path: d.join(name), Err: err}
	}
	return nil
}

// sync makes a rename durable; not every file system supports it.
func (d *dirHandle) sync() { _ = unix.Fsync(d.fd) }

func (d *dirHandle) join(name string) string { return d.path + string(os.PathSeparator) + name }
