// Package wake tells when the machine wakes from sleep, so the session is
// checked at once: a suspended machine stops the monotonic clock, and with it
// every timer, so a 15-minute check could otherwise come late.
package wake

import (
	"context"
	"log/slog"
)

// Listen returns a channel that receives a value each time the machine wakes
// up. It is nil (never ready) where wake-up events are not available; the
// app's periodic check then notices the clock jump instead.
func Listen(ctx context.Context, log *slog.Logger) <-chan struct{} {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return listen(ctx, log)
}
