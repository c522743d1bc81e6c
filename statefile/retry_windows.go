package statefile

import (
	"errors"

	"golang.org/x/sys/windows"
)

// isSharingViolation reports the errors Windows gives while another process
// (antivirus, backup, indexer) has the file open or locked.
func isSharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
