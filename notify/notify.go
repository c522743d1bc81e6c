// Package notify shows desktop notifications, best effort: a notification
// that cannot be shown is logged and returned as an error, never fatal.
//
// On Linux it calls org.freedesktop.Notifications over its own private D-Bus
// connection. Sharing fyne.io/systray's connection breaks the tray: once a
// notification is closed, the tray stops re-registering when the panel
// restarts (fyne-io/systray#131). Elsewhere it uses github.com/gen2brain/beeep.
package notify

import (
	"context"
	"log/slog"
)

// Urgency levels of the freedesktop notification spec.
const (
	Low      = 0
	Normal   = 1
	Critical = 2
)

// Notification is one desktop notification.
type Notification struct {
	Title, Body string
	Urgency     int    // Low, Normal or Critical
	Icon        []byte // optional PNG
}

// Notifier shows desktop notifications.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// New returns the platform's Notifier. appName is shown as the sender.
// Nothing is connected until the first Notify.
func New(appName string, log *slog.Logger) Notifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return newPlatform(appName, log)
}

// Error is a notification that could not be shown.
type Error struct{ Err error }

func (e *Error) Error() string { return "notification not shown: " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Kind is the error kind shown by the CLI.
func (e *Error) Kind() string { return "notification-failed" }
