//go:build !windows && !darwin

package tray

import (
	"context"
	"strings"

	"github.com/godbus/dbus/v5"

	"ehealth-tray/icons"
)

// Panels draw 22 px icons; they scale the pixmap themselves otherwise.
func iconBytes(k icons.Kind) []byte { return icons.PNG(k) }

// removeIconFiles: systray writes no icon files here (see platform_windows.go).
func removeIconFiles() error { return nil }

// dbusmenu has no item tooltips: a disabled item's reason goes on a
// disabled line under it.
const reasonInLabel = true

// menuLabel escapes dbusmenu's access-key mark: "_" alone would underline
// the next letter and vanish (a provider named "Dr_Smith").
func menuLabel(s string) string { return strings.ReplaceAll(s, "_", "__") }

// HostPresent reports whether a StatusNotifierWatcher (a panel that shows
// tray icons) owns its name on the session bus.
func HostPresent(ctx context.Context) bool {
	_, host := probe(ctx)
	return host
}

// probe reports whether the session bus is reachable and a watcher is on it.
// It uses a connection of its own: fyne.io/systray's shared one must carry
// nothing else (see package notify).
func probe(ctx context.Context) (bus, host bool) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return false, false
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false, false
	}
	if err := conn.Hello(); err != nil {
		return false, false
	}
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0,
		"org.kde.StatusNotifierWatcher").Store(&host)
	return true, err == nil && host
}
