package notify

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	busName = "org.freedesktop.Notifications"
	objPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// dbusNotifier owns a private session bus connection, opened on first use and
// again after it dies (bus restart, session change).
type dbusNotifier struct {
	app string
	log *slog.Logger

	mu     sync.Mutex
	conn   *dbus.Conn
	markup bool // the server reads the body as markup: escape it
}

func newPlatform(appName string, log *slog.Logger) Notifier {
	return &dbusNotifier{app: appName, log: log}
}

func (d *dbusNotifier) Notify(ctx context.Context, n Notification) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.notify(ctx, n)
	if err != nil {
		d.log.Warn("notification not shown", "title", n.Title, "err", err)
		return &Error{Err: err}
	}
	return nil
}

func (d *dbusNotifier) notify(ctx context.Context, n Notification) error {
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(min(max(n.Urgency, Low), Critical)))}
	if len(n.Icon) > 0 {
		if img, err := imageData(n.Icon); err != nil {
			d.log.Warn("notification icon dropped", "err", err)
		} else {
			hints["image-data"] = dbus.MakeVariant(img)
		}
	}
	err := d.call(ctx, n.Title, n.Body, hints)
	var reply dbus.Error
	if err != nil && d.conn != nil && !errors.As(err, &reply) && ctx.Err() == nil {
		// No answer at all, not a refusal: the connection died since the
		// last notification (bus restarted). Reopen it once.
		d.log.Info("session bus connection lost, reconnecting for notifications", "err", err)
		d.conn.Close()
		d.conn = nil
		err = d.call(ctx, n.Title, n.Body, hints)
	}
	return err
}

// call sends Notify, opening the connection if there is none or it died.
func (d *dbusNotifier) call(ctx context.Context, title, body string, hints map[string]dbus.Variant) error {
	if d.conn == nil || !d.conn.Connected() {
		conn, err := connect()
		if err != nil {
			return err
		}
		d.conn = conn
		var caps []string
		// Without an answer, plain text: the worst case shows "&amp;".
		err = conn.Object(busName, objPath).CallWithContext(ctx, busName+".GetCapabilities", 0).Store(&caps)
		d.markup = err == nil && slices.Contains(caps, "body-markup")
	}
	if d.markup {
		body = markupEscaper.Replace(body)
	}
	return d.conn.Object(busName, objPath).CallWithContext(ctx, busName+".Notify", 0,
		d.app, uint32(0), "", title, body, []string{}, hints, int32(-1)).Err
}

// markupEscaper keeps "<", ">" and "&" in a body literal on servers that
// read markup, the spec's small XML subset.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// connect opens a private session bus connection. It never autolaunches a
// dbus-daemon: without a session bus there is nobody to show notifications.
func connect() (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// imageHint is the spec's image-data hint, signature (iiibiiay).
type imageHint struct {
	Width, Height, Rowstride int32
	HasAlpha                 bool
	BitsPerSample, Channels  int32
	Data                     []byte
}

func imageData(pngData []byte) (imageHint, error) {
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return imageHint{}, err
	}
	b := src.Bounds()
	img := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(img, img.Bounds(), src, b.Min, draw.Src)
	return imageHint{
		Width: int32(b.Dx()), Height: int32(b.Dy()), Rowstride: int32(img.Stride),
		HasAlpha: true, BitsPerSample: 8, Channels: 4, Data: img.Pix,
	}, nil
}
