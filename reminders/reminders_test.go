package reminders

import (
	"path/filepath"
	"testing"
	"time"
)

var thresholds = []int{90, 30, 14, 7, 1}

func TestDueOncePerThreshold(t *testing.T) {
	notAfter := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	key := CertKey("79021802145", notAfter)
	given := map[string]bool{}
	var fired []string
	// Walk hour by hour from 100 days before to 2 days after expiry.
	for now := notAfter.Add(-100 * 24 * time.Hour); now.Before(notAfter.Add(48 * time.Hour)); now = now.Add(time.Hour) {
		r, mark := Due(now, notAfter, key, thresholds, given)
		if r == nil {
			continue
		}
		fired = append(fired, r.Key)
		for _, k := range mark {
			given[k] = true
		}
	}
	want := []string{key + "/90d", key + "/30d", key + "/14d", key + "/7d", key + "/1d", key + "/expired"}
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for i := range want {
		if fired[i] != want[i] {
			t.Fatalf("fired %v, want %v", fired, want)
		}
	}
}

func TestSevenDayReminderAtSevenDays(t *testing.T) {
	notAfter := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	now := notAfter.Add(-7*24*time.Hour + time.Minute)
	r, _ := Due(now, notAfter, "k", thresholds, map[string]bool{"k/90d": true, "k/30d": true, "k/14d": true})
	if r == nil || r.Days != 7 || r.DaysLeft != 6 {
		t.Fatalf("%+v", r)
	}
}

func TestFirstStartLateGivesOnlyMostUrgent(t *testing.T) {
	notAfter := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	r, mark := Due(notAfter.Add(-5*24*time.Hour), notAfter, "k", thresholds, nil)
	if r == nil || r.Days != 7 {
		t.Fatalf("%+v", r)
	}
	if len(mark) != 4 { // 7, 14, 30, 90
		t.Fatalf("mark %v", mark)
	}
}

func TestClockJumps(t *testing.T) {
	notAfter := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	given := map[string]bool{}
	// Forward past expiry: one "expired", everything else marked.
	r, mark := Due(notAfter.Add(time.Hour), notAfter, "k", thresholds, given)
	if r == nil || !r.Expired || r.DaysLeft != -1 {
		t.Fatalf("%+v", r)
	}
	for _, k := range mark {
		given[k] = true
	}
	// Backward to 10 days before: nothing again.
	if r, _ := Due(notAfter.Add(-10*24*time.Hour), notAfter, "k", thresholds, given); r != nil {
		t.Fatalf("repeated after a backward jump: %+v", r)
	}
}

func TestRenewedCertificateGetsItsOwnReminders(t *testing.T) {
	old := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	renewed := old.AddDate(3, 0, 0)
	given := map[string]bool{CertKey("s", old) + "/7d": true}
	now := renewed.Add(-6 * 24 * time.Hour)
	if r, _ := Due(now, renewed, CertKey("s", renewed), thresholds, given); r == nil || r.Days != 7 {
		t.Fatalf("%+v", r)
	}
}

func TestLedgerSurvivesRestart(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state", "reminders.json")
	l, err := LoadLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := l.Mark(now, "a", "b"); err != nil {
		t.Fatal(err)
	}
	l2, err := LoadLedger(p)
	if err != nil || !l2.GivenSet()["a"] || !l2.GivenSet()["b"] || len(l2.Given) != 2 {
		t.Fatalf("%v %+v", err, l2.Given)
	}
}
