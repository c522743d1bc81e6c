package etk

import (
	"encoding/json"
	"fmt"
	"time"

	"ehealth-tray/statefile"
)

// Record is the last successful check, persisted so that a restart neither
// repeats a notification nor checks again before a day has passed.
type Record struct {
	Status Status `json:"status"`
	// Serial is the ETK's serial in decimal, "" when nothing is published.
	Serial string `json:"serial,omitempty"`
	// Keystore is the keystore in use at the check.
	Keystore  string    `json:"keystore,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
	// NotifiedAt is when the practitioner was last told of this situation
	// (Status, Serial and Keystore); zero if never.
	NotifiedAt time.Time `json:"notified_at,omitzero"`
}

// Day is the least time between two regular checks, and between two
// notifications of the same situation.
const Day = 24 * time.Hour

// maxRecord caps the record file: it holds a few hundred bytes.
const maxRecord = 4 << 10

// Due tells whether a regular check is due: none was recorded, the last is
// a Day old, or the clock went back past it.
func Due(now time.Time, last Record) bool {
	return last.CheckedAt.IsZero() || now.Sub(last.CheckedAt) >= Day || now.Before(last.CheckedAt)
}

// ShouldNotify tells whether r deserves a notification, given the last
// record: never for ok; for another status, at once when the situation
// changed, else at most once a Day.
func ShouldNotify(now time.Time, last Record, r Result) bool {
	if r.Status == StatusOK {
		return false
	}
	if !sameSituation(last, r) || last.NotifiedAt.IsZero() {
		return true
	}
	return now.Sub(last.NotifiedAt) >= Day || now.Before(last.NotifiedAt)
}

// Next is the record to save after a successful check made at now;
// notified says whether the practitioner was told of it.
func Next(now time.Time, last Record, r Result, notified bool) Record {
	rec := Record{Status: r.Status, Serial: serialOf(r), Keystore: r.Keystore.Path, CheckedAt: now}
	switch {
	case notified:
		rec.NotifiedAt = now
	case sameSituation(last, r):
		rec.NotifiedAt = last.NotifiedAt
	}
	return rec
}

func sameSituation(last Record, r Result) bool {
	return last.Status == r.Status && last.Serial == serialOf(r) && last.Keystore == r.Keystore.Path
}

func serialOf(r Result) string {
	if r.ETK == nil {
		return ""
	}
	return r.ETK.SerialNumber.String()
}

// LoadRecord reads the record at path (a statefile: private, capped). A
// missing file is the zero Record and no error; an unreadable one is the
// zero Record with the error, for the log.
func LoadRecord(path string) (Record, error) {
	data, err := statefile.ReadFile(path, maxRecord)
	if statefile.IsNotExist(err) {
		return Record{}, nil
	}
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return Record{}, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}

// SaveRecord writes rec to path atomically, readable by the user only.
func SaveRecord(path string, rec Record) error {
	return statefile.WriteJSON(path, rec)
}
