//go:build !linux

package notify

import (
	"context"
	"log/slog"

	"github.com/gen2brain/beeep"
)

type beeepNotifier struct{ log *slog.Logger }

func newPlatform(appName string, log *slog.Logger) Notifier {
	beeep.AppName = appName
	return beeepNotifier{log: log}
}

func (b beeepNotifier) Notify(ctx context.Context, n Notification) error {
	var icon any = "" // beeep refuses a nil icon
	if len(n.Icon) > 0 {
		icon = n.Icon
	}
	send := beeep.Notify
	if n.Urgency >= Critical {
		send = beeep.Alert
	}
	// beeep cannot be cancelled: on ctx done, stop waiting and let it finish.
	done := make(chan error, 1)
	go func() { done <- send(n.Title, n.Body, icon) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		b.log.Warn("notification not shown", "title", n.Title, "err", err)
		return &Error{Err: err}
	}
	return nil
}
