// Package safefile opens files that another local user, or a stray FIFO, may
// have planted: it never follows a final symlink, never blocks on a FIFO or a
// device, refuses anything but a regular file, and caps what it reads.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// NotRegularError refuses a path that is not a regular file: a symlink, a
// FIFO, a device, a socket or a folder.
type NotRegularError struct {
	Path string
	Mode fs.FileMode // the type bits found
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file (%s)", e.Path, typeName(e.Mode))
}

// Kind is the CLI kind.
func (e *NotRegularError) Kind() string { return "not-regular-file" }

// TooLargeError refuses a file larger than the cap its reader set.
type TooLargeError struct {
	Path string
	Max  int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Max)
}

// Kind is the CLI kind.
func (e *TooLargeError) Kind() string { return "too-large" }

// Open opens path for reading. A final symlink is not followed, the open never
// waits on a FIFO or device, and anything but a regular file is refused with
// a *NotRegularError. A missing file gives an error wrapping fs.ErrNotExist.
func Open(path string) (*os.File, error) { return OpenFile(path, os.O_RDONLY, 0) }

// ErrTruncate refuses O_TRUNC: emptying a path is how a planted link destroys
// another file, and every writer here appends or replaces atomically.
var ErrTruncate = errors.New("safefile never truncates")

// OpenFile is Open for the flags of os.OpenFile: O_RDONLY, O_WRONLY or O_RDWR,
// with O_CREATE, O_EXCL and O_APPEND; O_TRUNC is refused (ErrTruncate). A
// file it creates gets perm.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if flag&os.O_TRUNC != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrTruncate}
	}
	// Refuse before opening: opening some devices has side effects.
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode().Type()}
	} else if err != nil && (flag&os.O_CREATE == 0 || !errors.Is(err, fs.ErrNotExist)) {
		return nil, err
	}
	f, err := openNoFollow(path, flag, perm)
	if err != nil {
		return nil, err
	}
	// Check again what was opened: the path may have been swapped meanwhile.
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode().Type()}
	}
	return f, nil
}

// ReadFile reads the regular file at path, as Open does, and refuses with a
// *TooLargeError a file larger than limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, limit)
}

// ReadTarget is ReadFile for a file the user may have linked into place (a
// dotfile manager's config, a keystore linked from a USB stick): it follows
// symlinks to the file they name, which must be a regular file. Reading
// through a link writes nothing, unlike the writes Open guards.
func ReadTarget(path string, limit int64) ([]byte, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	return ReadFile(target, limit)
}

// ReadAll reads r up to limit bytes, and refuses with a *TooLargeError naming
// path anything longer.
func ReadAll(r io.Reader, path string, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Max: limit}
	}
	return data, nil
}

// IsNotRegular reports a *NotRegularError in err's chain.
func IsNotRegular(err error) bool {
	var e *NotRegularError
	return errors.As(err, &e)
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a folder"
	default:
		return "not a plain file"
	}
}
