package app

import (
	"testing"
	"time"

	"ehealth-tray/icons"
	"ehealth-tray/sts/ststest"
	"ehealth-tray/tray"
)

// eHealth accepts a session from a computer whose clock is 3 minutes
// ahead: the practitioner is told once, not at every session.
func TestCoreClockSkewToldOnce(t *testing.T) {
	r := newRig(t)
	r.useSTS(ststest.Options{NIHII: "53886171521", Now: func() time.Time { return time.Now().Add(-3 * time.Minute) }})
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.start()
	defer r.stop()
	for i := range 2 {
		r.click(tray.CmdFallback)
		r.wait("green", func(s tray.State) bool {
			return s.Icon == icons.KindActive && s.Fallback.Enabled && len(r.sts.Requests()) == i+1
		})
	}
	if n := r.notes.count("The computer's clock is off"); n != 1 {
		t.Fatalf("told %d times, want once: %+v", n, r.notes.sent)
	}
}
