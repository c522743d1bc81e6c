package statefile

import (
	"io/fs"
	"testing"

	"golang.org/x/sys/windows"
)

func TestIsSharingViolation(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&fs.PathError{Op: "open", Path: "x", Err: windows.ERROR_SHARING_VIOLATION}, true},
		{&fs.PathError{Op: "rename", Path: "x", Err: windows.ERROR_LOCK_VIOLATION}, true},
		{&fs.PathError{Op: "open", Path: "x", Err: windows.ERROR_ACCESS_DENIED}, false},
		{fs.ErrNotExist, false},
	} {
		if got := isSharingViolation(c.err); got != c.want {
			t.Errorf("%v: got %v", c.err, got)
		}
	}
}
