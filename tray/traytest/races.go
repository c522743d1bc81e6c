package traytest

import "strings"

// OwnRaces returns the race detector reports in a child's stderr that are
// not inside fyne.io/systray. v1.12.2 races on its own state: the icon pixmap
// it hands to godbus' encoder, firstGetLayoutDone. A report is upstream when
// every access in it starts (first frame outside the runtime) in systray or
// godbus.
func OwnRaces(stderr string) []string {
	var own []string
	for _, report := range strings.Split(stderr, "WARNING: DATA RACE")[1:] {
		report, _, _ = strings.Cut(report, "==================")
		if !upstreamRace(report) {
			own = append(own, report)
		}
	}
	return own
}

func upstreamRace(report string) bool {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if !strings.Contains(l, " at 0x") || !strings.Contains(l, " by ") {
			continue // not an access ("Read at 0x… by goroutine N:")
		}
		frame := ""
		for _, f := range lines[i+1:] {
			f = strings.TrimSpace(f)
			if f == "" || strings.HasPrefix(f, "/") {
				continue // file:line
			}
			if !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "reflect.") &&
				!strings.HasPrefix(f, "sync.") && !strings.HasPrefix(f, "internal/") {
				frame = f
				break
			}
		}
		if !strings.HasPrefix(frame, "fyne.io/systray.") && !strings.HasPrefix(frame, "github.com/godbus/dbus/v5") {
			return false
		}
	}
	return true
}
