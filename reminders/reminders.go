// Package reminders decides which certificate-expiry reminder is due. Due is
// a pure function of the time, the certificate's end date, the thresholds and
// the ledger of reminders already given; the Ledger persists that ledger so
// each threshold fires once, across restarts and clock jumps.
package reminders

import (
	"fmt"
	"sort"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/statefile"
)

// Reminder is one notification to give.
type Reminder struct {
	Key      string
	Days     int  // the threshold crossed (days before expiry); 0 with Expired
	Expired  bool // the certificate has expired
	DaysLeft int  // whole days left (floor), negative once expired
	NotAfter time.Time
}

// CertKey identifies one certificate: a renewed certificate (new end date)
// gets its own set of reminders.
func CertKey(ssin string, notAfter time.Time) string {
	return ssin + "/" + notAfter.UTC().Format(time.RFC3339)
}

// Due returns the most urgent reminder not given yet (nil if none) and the
// ledger keys to mark as given. When several thresholds were crossed at once
// (first start 5 days before expiry, or a long sleep), only the most urgent is
// given and the others are marked too, so they never come late.
func Due(now, notAfter time.Time, certKey string, days []int, given map[string]bool) (*Reminder, []string) {
	left := cert.DaysLeft(notAfter, now)
	var crossed []string
	var due *Reminder
	if !now.Before(notAfter) {
		k := certKey + "/expired"
		crossed = append(crossed, k)
		if !given[k] {
			due = &Reminder{Key: k, Expired: true, DaysLeft: left, NotAfter: notAfter}
		}
	}
	sorted := append([]int(nil), days...)
	sort.Ints(sorted) // most urgent first
	for _, d := range sorted {
		if left > d {
			continue
		}
		k := fmt.Sprintf("%s/%dd", certKey, d)
		crossed = append(crossed, k)
		if due == nil && !given[k] {
			due = &Reminder{Key: k, Days: d, DaysLeft: left, NotAfter: notAfter}
		}
	}
	if due == nil {
		return nil, nil
	}
	return due, crossed
}

// Ledger is the persistent record of reminders given. It is not safe for
// concurrent use.
type Ledger struct {
	path  string
	Given map[string]time.Time `json:"given"`
}

// LoadLedger reads the ledger at path. A missing or unreadable ledger starts
// empty; the error says why, for one log line.
func LoadLedger(path string) (*Ledger, error) {
	l := &Ledger{path: path, Given: map[string]time.Time{}}
	err := statefile.ReadJSON(path, l)
	if l.Given == nil {
		l.Given = map[string]time.Time{}
	}
	if statefile.IsNotExist(err) {
		err = nil
	}
	return l, err
}

// GivenSet returns the keys given so far, for Due.
func (l *Ledger) GivenSet() map[string]bool {
	m := make(map[string]bool, len(l.Given))
	for k := range l.Given {
		m[k] = true
	}
	return m
}

// Mark records keys as given at now and saves the ledger. The marks stay in
// memory even when saving fails (read-only or full disk), so the reminder is
// not repeated in this run.
func (l *Ledger) Mark(now time.Time, keys ...string) error {
	for _, k := range keys {
		if _, ok := l.Given[k]; !ok {
			l.Given[k] = now
		}
	}
	return statefile.WriteJSON(l.path, l)
}
