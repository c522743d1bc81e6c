package etk

import (
	"crypto/x509"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func result(status Status, serial int64, keystore string) Result {
	r := Result{Status: status, Keystore: Keystore{Path: keystore}}
	if serial != 0 {
		r.ETK = &x509.Certificate{SerialNumber: big.NewInt(serial)}
	}
	return r
}

func TestShouldNotifyAtMostOnceADay(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	notActivated := result(StatusNotActivated, 42, "new.p12")
	notified := Next(t0, Record{}, notActivated, true)
	tests := []struct {
		name string
		now  time.Time
		last Record
		r    Result
		want bool
	}{
		{"first time", t0, Record{}, notActivated, true},
		{"ok never", t0, Record{}, result(StatusOK, 42, "new.p12"), false},
		{"same, an hour later", t0.Add(time.Hour), notified, notActivated, false},
		{"same, after a restart the same day", t0.Add(23 * time.Hour), notified, notActivated, false},
		{"same, a day later", t0.Add(Day), notified, notActivated, true},
		{"clock went back", t0.Add(-time.Hour), notified, notActivated, true},
		{"another status", t0.Add(time.Hour), notified, result(StatusMismatch, 42, "new.p12"), true},
		{"another ETK", t0.Add(time.Hour), notified, result(StatusNotActivated, 43, "new.p12"), true},
		{"another keystore", t0.Add(time.Hour), notified, result(StatusNotActivated, 42, "newer.p12"), true},
		{"checked but never told", t0.Add(time.Hour), Next(t0, Record{}, notActivated, false), notActivated, true},
		{"not found, told an hour ago", t0.Add(time.Hour), Next(t0, Record{}, result(StatusNotFound, 0, "new.p12"), true), result(StatusNotFound, 0, "new.p12"), false},
	}
	for _, tt := range tests {
		if got := ShouldNotify(tt.now, tt.last, tt.r); got != tt.want {
			t.Errorf("%s: ShouldNotify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNextKeepsTheNotificationTimeOfTheSameSituation(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	r := result(StatusNotActivated, 42, "new.p12")
	rec := Next(t0, Record{}, r, true)
	want := Record{Status: StatusNotActivated, Serial: "42", Keystore: "new.p12", CheckedAt: t0, NotifiedAt: t0}
	if rec != want {
		t.Fatalf("%+v, want %+v", rec, want)
	}
	later := Next(t0.Add(time.Hour), rec, r, false)
	if later.NotifiedAt != t0 || later.CheckedAt != t0.Add(time.Hour) {
		t.Fatalf("same situation: %+v", later)
	}
	ok := Next(t0.Add(2*time.Hour), later, result(StatusOK, 43, "new.p12"), false)
	if !ok.NotifiedAt.IsZero() {
		t.Fatalf("new situation keeps an old notification time: %+v", ok)
	}
}

func TestDue(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	last := Record{CheckedAt: t0}
	for _, tt := range []struct {
		now  time.Time
		last Record
		want bool
	}{
		{t0, Record{}, true},
		{t0.Add(time.Hour), last, false},
		{t0.Add(Day - time.Second), last, false},
		{t0.Add(Day), last, true},
		{t0.Add(-time.Minute), last, true},
	} {
		if got := Due(tt.now, tt.last); got != tt.want {
			t.Errorf("Due(%v, %v) = %v, want %v", tt.now, tt.last.CheckedAt, got, tt.want)
		}
	}
}

func TestRecordSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "etk-check.json")
	if rec, err := LoadRecord(path); err != nil || rec != (Record{}) {
		t.Fatalf("missing file: %+v, %v", rec, err)
	}
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	rec := Next(t0, Record{}, result(StatusNotActivated, 42, "new.p12"), true)
	if err := SaveRecord(path, rec); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("record file: %v, %v; want mode 0600", fi, err)
	}
	got, err := LoadRecord(path)
	if err != nil || !got.CheckedAt.Equal(rec.CheckedAt) || !got.NotifiedAt.Equal(rec.NotifiedAt) || got.Serial != "42" {
		t.Fatalf("loaded %+v, %v; want %+v", got, err, rec)
	}
	if ShouldNotify(t0.Add(time.Hour), got, result(StatusNotActivated, 42, "new.p12")) {
		t.Fatal("a restart repeats the notification")
	}
}

func TestLoadRecordRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"huge":     `{"status": "ok", "x": "` + strings.Repeat("a", maxRecord) + `"}`,
		"not JSON": "garbage",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if rec, err := LoadRecord(path); err == nil || rec != (Record{}) {
			t.Errorf("%s: %+v, %v; want an error and the zero record", name, rec, err)
		}
	}
	open := filepath.Join(dir, "open.json")
	if err := os.WriteFile(open, []byte(`{"status": "ok"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRecord(open); err == nil {
		t.Error("a record others can read is trusted")
	}
}
