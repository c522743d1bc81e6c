//go:build linux

package cli

import (
	"bytes"
	"strings"
	"testing"

	"ehealth-tray/i18n"
	"ehealth-tray/tray/traytest"
)

// The demo's "click the tray icon" is said only where a panel shows it.
func TestTrayHintWithoutAPanel(t *testing.T) {
	bus := traytest.StartBus(t) // a session bus, but no panel on it
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	var out bytes.Buffer
	e := &env{stdout: &out, loc: i18n.New("fr")}
	e.trayHint("Click the tray icon")
	if got := out.String(); strings.Contains(got, "Click") || !strings.Contains(got, "Aucune zone de notification") {
		t.Fatalf("without a panel: %q", got)
	}

	w, err := traytest.NewWatcher(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	out.Reset()
	e.trayHint("Click the tray icon")
	if got := out.String(); got != "Click the tray icon\n" {
		t.Fatalf("with a panel: %q", got)
	}
}
