package safefile

import (
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// openNoFollow opens path on the reparse point itself
// (FILE_FLAG_OPEN_REPARSE_POINT), so a symlink or junction swapped in after
// the Lstat is opened as itself and then refused by OpenFile's Stat check.
// Other processes keep the right to read, write, rename and delete the file.
// Windows files carry no Unix mode: perm is not used.
func openNoFollow(path string, flag int, _ fs.FileMode) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var access uint32
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_RDONLY:
		access = windows.GENERIC_READ
	case os.O_WRONLY:
		access = windows.GENERIC_WRITE
	default:
		access = windows.GENERIC_READ | windows.GENERIC_WRITE
	}
	if flag&os.O_APPEND != 0 {
		// Every write goes to the end, as O_APPEND does on Unix.
		access = access&^windows.GENERIC_WRITE | windows.FILE_APPEND_DATA
	}
	disposition := uint32(windows.OPEN_EXISTING)
	switch {
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		disposition = windows.CREATE_NEW
	case flag&os.O_CREATE != 0:
		disposition = windows.OPEN_ALWAYS
	}
	h, err := windows.CreateFile(p, access,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, disposition,
		windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
