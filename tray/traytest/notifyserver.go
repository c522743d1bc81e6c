package traytest

import (
	"context"
	"fmt"
	"image"

	"github.com/godbus/dbus/v5"
)

const (
	notifyName = "org.freedesktop.Notifications"
	notifyPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// NotificationClosed reasons of the freedesktop notification spec.
const (
	ClosedExpired   = 1
	ClosedDismissed = 2
	ClosedByCall    = 3
)

// Received is a notification the NotifyServer was sent.
type Received struct {
	ID      uint32
	Sender  string // unique bus name of the sending connection
	AppName string
	Summary string
	Body    string       // as sent: markup, escaped by the sender if need be
	Urgency int          // the urgency hint; 1 (normal) when absent, as the spec says
	Image   *image.NRGBA // the image-data hint, nil when absent
	Closed  bool
}

// NotifyServer is a notification daemon that records every notification.
type NotifyServer struct {
	conn *dbus.Conn
	recv *board[Received]
}

// notifyObject holds exactly the methods exported on the bus.
type notifyObject struct{ n *NotifyServer }

// GetCapabilities answers like common servers (dunst, GNOME Shell): the
// body is read as markup.
func (o notifyObject) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup"}, nil
}

func (o notifyObject) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "traytest", "ehealth-tray", "1", "1.2", nil
}

func (o notifyObject) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32, sender dbus.Sender,
) (uint32, *dbus.Error) {
	r := Received{Sender: string(sender), AppName: app, Summary: summary, Body: body, Urgency: 1}
	if v, ok := hints["urgency"]; ok {
		var u byte
		if err := v.Store(&u); err != nil {
			return 0, dbus.MakeFailedError(fmt.Errorf("urgency hint: %w", err))
		}
		r.Urgency = int(u)
	}
	if v, ok := hints["image-data"]; ok {
		img, err := decodeImageData(v)
		if err != nil {
			return 0, dbus.MakeFailedError(err)
		}
		r.Image = img
	}
	o.n.recv.update(func(all []Received) []Received {
		r.ID = uint32(len(all) + 1)
		return append(all, r)
	})
	return r.ID, nil
}

func (o notifyObject) CloseNotification(id uint32) *dbus.Error {
	o.n.close(func(r Received) bool { return r.ID == id }, ClosedByCall)
	return nil
}

// NewNotifyServer connects to the bus at addr and owns
// org.freedesktop.Notifications. Start it before anything notifies.
func NewNotifyServer(addr string) (*NotifyServer, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	n := &NotifyServer{conn: conn, recv: newBoard[Received]()}
	if err := conn.Export(notifyObject{n}, notifyPath, notifyName); err != nil {
		conn.Close()
		return nil, err
	}
	if err := own(conn, notifyName); err != nil {
		conn.Close()
		return nil, err
	}
	return n, nil
}

// Close disconnects the server.
func (n *NotifyServer) Close() { n.conn.Close() }

// Notifications returns every notification received, oldest first.
func (n *NotifyServer) Notifications() []Received { return n.recv.snapshot() }

// WaitFor returns the first notification matching pred, waiting for it.
func (n *NotifyServer) WaitFor(ctx context.Context, pred func(Received) bool) (Received, error) {
	return n.recv.wait(ctx, pred)
}

// CloseAll dismisses every open notification, as a user would, emitting
// NotificationClosed for each.
func (n *NotifyServer) CloseAll() {
	n.close(func(Received) bool { return true }, ClosedDismissed)
}

// Flush returns once dest (a unique bus name) has received every signal the
// server emitted before: the bus keeps one sender's messages in order, so a
// ping answered by dest comes after them.
func (n *NotifyServer) Flush(ctx context.Context, dest string) error {
	return n.conn.Object(dest, "/").CallWithContext(ctx, "org.freedesktop.DBus.Peer.Ping", 0).Err
}

func (n *NotifyServer) close(match func(Received) bool, reason uint32) {
	var ids []uint32
	n.recv.update(func(all []Received) []Received {
		for i := range all {
			if !all[i].Closed && match(all[i]) {
				all[i].Closed = true
				ids = append(ids, all[i].ID)
			}
		}
		return all
	})
	for _, id := range ids {
		n.conn.Emit(notifyPath, notifyName+".NotificationClosed", id, reason)
	}
}

// decodeImageData reads the spec's image-data hint, (iiibiiay).
func decodeImageData(v dbus.Variant) (*image.NRGBA, error) {
	var d struct {
		W, H, Stride   int32
		Alpha          bool
		Bits, Channels int32
		Data           []byte
	}
	if err := v.Store(&d); err != nil {
		return nil, fmt.Errorf("image-data hint: %w", err)
	}
	if d.W <= 0 || d.H <= 0 || d.Bits != 8 || d.Channels != 4 || !d.Alpha ||
		d.Stride < d.W*4 || len(d.Data) < int(d.Stride)*int(d.H-1)+int(d.W)*4 {
		return nil, fmt.Errorf("image-data hint: %dx%d stride %d, %d bits, %d channels, %d bytes",
			d.W, d.H, d.Stride, d.Bits, d.Channels, len(d.Data))
	}
	img := image.NewNRGBA(image.Rect(0, 0, int(d.W), int(d.H)))
	for y := range int(d.H) {
		copy(img.Pix[y*img.Stride:(y+1)*img.Stride], d.Data[y*int(d.Stride):])
	}
	return img, nil
}
