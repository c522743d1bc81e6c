package tray

import (
	"context"
	"strings"

	"ehealth-tray/icons"
)

// The ICO holds 16 to 64 px images; Windows picks the one for the DPI.
func iconBytes(k icons.Kind) []byte { return icons.ICO(k) }

// Windows menus show no item tooltips: the reason goes into the label.
const reasonInLabel = true

// menuLabel escapes the access-key mark "&".
func menuLabel(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// HostPresent reports whether a tray host is present: the taskbar always is.
func HostPresent(context.Context) bool { return true }

func probe(context.Context) (bus, host bool) { return true, true }
