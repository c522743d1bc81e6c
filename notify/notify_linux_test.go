package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ehealth-tray/icons"
	"ehealth-tray/tray/traytest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newServer(t *testing.T) *traytest.NotifyServer {
	t.Helper()
	addr := traytest.StartBus(t)
	ns, err := traytest.NewNotifyServer(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Close)
	return ns
}

func TestNotify(t *testing.T) {
	ctx := testContext(t)
	ns := newServer(t)
	n := New("ehealth-tray", nil)

	// The server reads bodies as markup: the text must arrive escaped.
	err := n.Notify(ctx, Notification{
		Title:   "eHealth session ended",
		Body:    "Open a new one from the tray: <b>Via eID</b> & more",
		Urgency: Critical,
		Icon:    icons.LargePNG(icons.KindNone),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(ctx, Notification{Title: "Certificate expires in 30 days", Urgency: 7}); err != nil {
		t.Fatal(err)
	}

	got := ns.Notifications()
	if len(got) != 2 {
		t.Fatalf("server received %d notifications, want 2", len(got))
	}
	first, second := got[0], got[1]
	if first.AppName != "ehealth-tray" || first.Summary != "eHealth session ended" ||
		first.Body != "Open a new one from the tray: &lt;b&gt;Via eID&lt;/b&gt; &amp; more" || first.Urgency != Critical {
		t.Errorf("first: %+v", first)
	}
	if first.Image == nil || first.Image.Bounds().Dx() != 64 || traytest.DominantColor(first.Image) != "red" {
		t.Errorf("first image: %v", first.Image)
	}
	if second.Summary != "Certificate expires in 30 days" || second.Body != "" ||
		second.Urgency != Critical || second.Image != nil {
		t.Errorf("second (urgency clamped to critical, no image): %+v", second)
	}
	if first.Sender != second.Sender {
		t.Errorf("notifications came over two connections: %s, %s", first.Sender, second.Sender)
	}
}

func TestNotifyBadIconStillNotifies(t *testing.T) {
	ctx := testContext(t)
	ns := newServer(t)
	var logs bytes.Buffer
	n := New("ehealth-tray", slog.New(slog.NewTextHandler(&logs, nil)))
	if err := n.Notify(ctx, Notification{Title: "t", Icon: []byte("not a png")}); err != nil {
		t.Fatal(err)
	}
	if got := ns.Notifications(); len(got) != 1 || got[0].Image != nil || got[0].Urgency != Low {
		t.Errorf("received %+v", got)
	}
	if !strings.Contains(logs.String(), "icon dropped") {
		t.Errorf("logs: %s", logs.String())
	}
}

// Without a notification server the error is returned, typed and logged,
// and nothing is auto-started.
func TestNotifyNoServer(t *testing.T) {
	ctx := testContext(t)
	traytest.StartBus(t)
	var logs bytes.Buffer
	n := New("ehealth-tray", slog.New(slog.NewTextHandler(&logs, nil)))
	err := n.Notify(ctx, Notification{Title: "eHealth session ended"})
	var kinded interface{ Kind() string }
	if !errors.As(err, &kinded) || kinded.Kind() != "notification-failed" {
		t.Fatalf("err = %v, want a notification-failed error", err)
	}
	if !strings.Contains(logs.String(), "notification not shown") || !strings.Contains(logs.String(), "eHealth session ended") {
		t.Errorf("logs: %s", logs.String())
	}
}

func TestNotifyNoBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	err := New("ehealth-tray", nil).Notify(testContext(t), Notification{Title: "t"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
}

// The bus restarts (new session, daemon crash): the next notification
// reconnects instead of failing forever.
func TestNotifyReconnects(t *testing.T) {
	ctx := testContext(t)
	n := New("ehealth-tray", nil)
	t.Run("first bus", func(t *testing.T) {
		ns := newServer(t)
		if err := n.Notify(ctx, Notification{Title: "one"}); err != nil {
			t.Fatal(err)
		}
		if len(ns.Notifications()) != 1 {
			t.Fatal("not received")
		}
	}) // the first bus is stopped here

	ns := newServer(t)
	if err := n.Notify(ctx, Notification{Title: "two"}); err != nil {
		t.Fatal(err)
	}
	if got := ns.Notifications(); len(got) != 1 || got[0].Summary != "two" {
		t.Fatalf("second bus received %+v", got)
	}
}
