package statefile

import (
	"errors"
	"time"

	"golang.org/x/sys/windows"
)

// isSharingViolation reports the errors Windows gives while another process
// (antivirus, backup, indexer) has the file open or locked.
func isSharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// isBusyName also counts ERROR_ACCESS_DENIED, which is what renaming over or
// deleting a file that another process holds open gives. A really denied
// name costs one bounded wait before its error is said.
func isBusyName(err error) bool {
	return isSharingViolation(err) || errors.Is(err, windows.ERROR_ACCESS_DENIED)
}

// retryBusyName runs a rename or remove, again while the name is busy.
func retryBusyName(op func() error) error { return retryIf(op, isBusyName, time.Sleep) }
