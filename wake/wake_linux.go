package wake

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// logSignal is logged after each PrepareForSleep signal is handled.
const logSignal = "logind PrepareForSleep"

// listen follows systemd-logind's PrepareForSleep(false) on the system bus.
func listen(ctx context.Context, log *slog.Logger) <-chan struct{} {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		log.Info("no system bus: wake-up is noticed at the next periodic check", "err", err)
		return nil
	}
	if err := conn.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.login1.Manager"),
		dbus.WithMatchMember("PrepareForSleep"),
	); err != nil {
		log.Info("cannot follow logind sleep signals", "err", err)
		_ = conn.Close()
		return nil
	}
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	out := make(chan struct{}, 1)
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-signals:
				if !ok {
					return
				}
				sleeping, ok := firstBool(s.Body)
				if ok && !sleeping {
					select {
					case out <- struct{}{}:
					default:
					}
				}
				// Logged once handled, so a test knows when it is.
				log.Debug(logSignal, "sleeping", sleeping)
			}
		}
	}()
	return out
}

func firstBool(body []any) (bool, bool) {
	if len(body) == 0 {
		return false, false
	}
	b, ok := body[0].(bool)
	return b, ok
}
