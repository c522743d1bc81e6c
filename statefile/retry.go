package statefile

import "time"

// Sharing-violation backoff: 10 ms doubling, six retries, about 0.6 s in all.
// Long enough for an antivirus scan of a small file, short enough for a menu.
const (
	retryFirst = 10 * time.Millisecond
	retryMax   = 6
)

// retrySharing runs op, again while it fails because another process holds
// the file (Windows sharing and lock violations; never on Unix).
func retrySharing(op func() error) error {
	return retryIf(op, isSharingViolation, time.Sleep)
}

// retryIf runs op, and again after a doubling delay while transient(err),
// at most retryMax more times.
func retryIf(op func() error, transient func(error) bool, sleep func(time.Duration)) error {
	delay := retryFirst
	for i := 0; ; i++ {
		err := op()
		if err == nil || i == retryMax || !transient(err) {
			return err
		}
		sleep(delay)
		delay *= 2
	}
}
