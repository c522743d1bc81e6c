package tray

import (
	"context"

	"ehealth-tray/icons"
)

// The menu bar scales the icon down; 64 px stays sharp on Retina screens.
func iconBytes(k icons.Kind) []byte { return icons.LargePNG(k) }

// removeIconFiles: systray writes no icon files here (see platform_windows.go).
func removeIconFiles() error { return nil }

// macOS shows menu item tooltips.
const reasonInLabel = false

func menuLabel(s string) string { return s }

// HostPresent reports whether a tray host is present: the menu bar always is.
func HostPresent(context.Context) bool { return true }

func probe(context.Context) (bus, host bool) { return true, true }
