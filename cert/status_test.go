package cert

import (
	"testing"
	"time"
)

func TestStatusAt(t *testing.T) {
	nb := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	na := nb.AddDate(3, 0, 0) // the sample acceptance certificate runs 36 months
	day := 24 * time.Hour
	tests := []struct {
		name string
		now  time.Time
		want Status
	}{
		{"before notBefore", nb.Add(-time.Second), StatusNotYetValid},
		{"at notBefore", nb, StatusValid},
		{"a day more than the window left", na.Add(-DefaultRenewWindow - day), StatusValid},
		{"window edge", na.Add(-DefaultRenewWindow), StatusRenewSoon},
		{"last second", na, StatusRenewSoon},
		{"one second late", na.Add(time.Second), StatusExpired},
		{"years late", na.AddDate(5, 0, 0), StatusExpired},
	}
	for _, tt := range tests {
		if got := StatusAt(nb, na, tt.now, DefaultRenewWindow); got != tt.want {
			t.Errorf("%s: StatusAt = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := StatusAt(nb, na, na.Add(-10*day), 7*day); got != StatusValid {
		t.Errorf("a 7-day window 10 days before expiry = %q, want valid", got)
	}
}

func TestDaysLeft(t *testing.T) {
	na := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		want int
	}{
		{na.AddDate(0, 0, -95), 95},
		{na.AddDate(0, 0, -95).Add(time.Hour), 94}, // floor
		{na.Add(-time.Minute), 0},
		{na, 0},
		{na.Add(time.Minute), -1},
		{na.AddDate(0, 0, 1), -1},
		{na.AddDate(0, 0, 1).Add(time.Second), -2},
	}
	for _, tt := range tests {
		if got := DaysLeft(na, tt.now); got != tt.want {
			t.Errorf("DaysLeft(%v, %v) = %d, want %d", na, tt.now, got, tt.want)
		}
	}
}
