package cert

import "time"

// Status is where a certificate stands in its validity period.
type Status string

// Statuses, as the CLI and tray name them.
const (
	StatusValid       Status = "valid"
	StatusRenewSoon   Status = "renew-soon"
	StatusExpired     Status = "expired"
	StatusNotYetValid Status = "not-yet-valid"
)

// DefaultRenewWindow is how long before expiry eHealth opens renewal.
const DefaultRenewWindow = 90 * 24 * time.Hour

// StatusAt is the status at now of a certificate valid from notBefore to
// notAfter (both inclusive, as in X.509). It is StatusRenewSoon once notAfter
// is renewWindow away or closer.
func StatusAt(notBefore, notAfter, now time.Time, renewWindow time.Duration) Status {
	switch {
	case now.Before(notBefore):
		return StatusNotYetValid
	case now.After(notAfter):
		return StatusExpired
	case notAfter.Sub(now) <= renewWindow:
		return StatusRenewSoon
	default:
		return StatusValid
	}
}

// DaysLeft is the number of whole days from now to notAfter, rounded down:
// 0 on the last day, negative once expired.
func DaysLeft(notAfter, now time.Time) int {
	const day = 24 * time.Hour
	d := notAfter.Sub(now)
	days := d / day
	if d < 0 && d%day != 0 {
		days--
	}
	return int(days)
}
