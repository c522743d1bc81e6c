package traytest

import (
	"context"
	"image"
	"image/color"
	"slices"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func nextSignal(ctx context.Context, t *testing.T, ch <-chan *dbus.Signal, name string) []any {
	t.Helper()
	for {
		select {
		case s := <-ch:
			if s.Name == name {
				return s.Body
			}
		case <-ctx.Done():
			t.Fatalf("no %s signal", name)
		}
	}
}

func TestWatcherRegistration(t *testing.T) {
	ctx := testContext(t)
	addr := StartBus(t)
	w, err := NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := NewWatcher(addr); err == nil {
		t.Fatal("a second watcher took the name")
	}

	client := connect(t, addr)
	signals := make(chan *dbus.Signal, 10)
	client.Signal(signals)
	if err := client.AddMatchSignal(dbus.WithMatchInterface(watcherName)); err != nil {
		t.Fatal(err)
	}
	obj := client.Object(watcherName, watcherPath)
	register := func(service string) {
		t.Helper()
		if err := obj.CallWithContext(ctx, watcherName+".RegisterStatusNotifierItem", 0, service).Err; err != nil {
			t.Fatal(err)
		}
	}
	register("/StatusNotifierItem") // the fyne.io/systray form
	register("/StatusNotifierItem") // again: no duplicate
	register("org.kde.StatusNotifierItem-1-1")

	self := client.Names()[0]
	if got, err := w.WaitItem(ctx); err != nil || got != self {
		t.Errorf("WaitItem = %q, %v; want %q", got, err, self)
	}
	want := []string{self + "/StatusNotifierItem", "org.kde.StatusNotifierItem-1-1/StatusNotifierItem"}
	if got := w.Items(); !slices.Equal(got, want) {
		t.Errorf("Items() = %q, want %q", got, want)
	}
	var items []string
	if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, watcherName, "RegisteredStatusNotifierItems").Store(&items); err != nil || !slices.Equal(items, want) {
		t.Errorf("RegisteredStatusNotifierItems = %q, %v", items, err)
	}
	var host bool
	if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, watcherName, "IsStatusNotifierHostRegistered").Store(&host); err != nil || !host {
		t.Errorf("IsStatusNotifierHostRegistered = %v, %v", host, err)
	}
	for _, name := range want {
		if got := nextSignal(ctx, t, signals, watcherName+".StatusNotifierItemRegistered"); got[0] != name {
			t.Errorf("StatusNotifierItemRegistered %v, want %s", got, name)
		}
	}

	w.Close() // the panel stops: the name is free for the next one
	for {
		w2, err := NewWatcher(addr)
		if err == nil {
			w2.Close()
			break
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeMenu serves one level per GetLayout call, as fyne.io/systray does on
// the first one, with a submenu whose children need a second call.
type fakeMenu struct{ clicked chan int32 }

func node(id int32, props map[string]any, children ...layout) layout {
	l := layout{ID: id, Props: map[string]dbus.Variant{}, Children: []dbus.Variant{}}
	for k, v := range props {
		l.Props[k] = dbus.MakeVariant(v)
	}
	for _, c := range children {
		l.Children = append(l.Children, dbus.MakeVariant(c))
	}
	return l
}

func (m fakeMenu) GetLayout(parent, depth int32, props []string) (uint32, layout, *dbus.Error) {
	if parent == 3 {
		return 1, node(3, nil, node(31, map[string]any{"label": "Child"})), nil
	}
	return 1, node(0, nil,
		node(1, map[string]any{"label": "_Open"}),
		node(2, map[string]any{"type": "separator"}),
		node(3, map[string]any{"label": "Sub", "children-display": "submenu"}),
		node(4, map[string]any{"label": "A__B", "enabled": false, "visible": false,
			"toggle-type": "checkmark", "toggle-state": int32(1)}),
	), nil
}

func (m fakeMenu) Event(id int32, event string, data dbus.Variant, ts uint32) *dbus.Error {
	if event == "clicked" {
		m.clicked <- id
	}
	return nil
}

func TestPropsMenuClick(t *testing.T) {
	ctx := testContext(t)
	addr := StartBus(t)
	w, err := NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	item := connect(t, addr)
	green, red := []byte{0xff, 0x2e, 0x9e, 0x44}, []byte{0x80, 0xd3, 0x2f, 0x2f}
	_, err = prop.Export(item, defaultItem, prop.Map{itemIface: {
		"Status": {Value: "Active"},
		"Title":  {Value: "eHealth"},
		"Id":     {Value: "ehealth-tray"},
		"Menu":   {Value: dbus.ObjectPath("/Menu")},
		"ToolTip": {Value: struct {
			Name        string
			Icons       []pixmap
			Title, Text string
		}{"", nil, "eHealth: no session", "details"}},
		// A small red icon first, then the larger green one to be chosen.
		"IconPixmap": {Value: []pixmap{
			{1, 1, red},
			{2, 1, append(slices.Clone(green), green...)},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	menu := fakeMenu{clicked: make(chan int32, 1)}
	if err := item.Export(menu, "/Menu", menuIface); err != nil {
		t.Fatal(err)
	}
	if err := item.Object(watcherName, watcherPath).CallWithContext(ctx, watcherName+".RegisterStatusNotifierItem", 0, "/StatusNotifierItem").Err; err != nil {
		t.Fatal(err)
	}

	p, err := w.Props(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "Active" || p.Title != "eHealth" || p.ID != "ehealth-tray" || p.Menu != "/Menu" ||
		p.ToolTipTitle != "eHealth: no session" || p.ToolTipText != "details" {
		t.Errorf("props %+v", p)
	}
	if p.Icon.Bounds().Dx() != 2 || p.Icon.NRGBAAt(1, 0) != (color.NRGBA{0x2e, 0x9e, 0x44, 0xff}) || p.DominantColor() != "green" {
		t.Errorf("icon %v %v, colour %s", p.Icon.Bounds(), p.Icon.NRGBAAt(1, 0), p.DominantColor())
	}

	items, err := w.Menu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []MenuItem{
		{ID: 1, Label: "Open", Enabled: true, Visible: true},
		{ID: 2, Enabled: true, Visible: true, Separator: true},
		{ID: 3, Label: "Sub", Enabled: true, Visible: true},
		{ID: 31, Parent: 3, Label: "Child", Enabled: true, Visible: true},
		{ID: 4, Label: "A_B", Checkable: true, ToggleState: 1},
	}
	if !slices.Equal(items, want) {
		t.Errorf("menu\n  got  %+v\n  want %+v", items, want)
	}
	if err := w.Click(ctx, 31); err != nil {
		t.Fatal(err)
	}
	if id := <-menu.clicked; id != 31 {
		t.Errorf("clicked %d", id)
	}
}

func TestDominantColor(t *testing.T) {
	badge := func(fill color.NRGBA) *image.NRGBA {
		img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
		for y := range 10 {
			for x := range 10 {
				switch {
				case x < 2: // transparent margin
				case x < 4: // white glyph, not counted
					img.SetNRGBA(x, y, color.NRGBA{0xff, 0xff, 0xff, 0xff})
				default:
					img.SetNRGBA(x, y, fill)
				}
			}
		}
		return img
	}
	for want, fill := range map[string]color.NRGBA{
		"green":  {0x2e, 0x9e, 0x44, 0xff},
		"red":    {0xd3, 0x2f, 0x2f, 0xff},
		"orange": {0xef, 0x7d, 0x00, 0xff},
		"grey":   {0x8a, 0x8f, 0x98, 0xff},
		"other":  {0x20, 0x40, 0xe0, 0xff},
		"":       {0xff, 0, 0, 0x10}, // too transparent to count
	} {
		if got := DominantColor(badge(fill)); got != want {
			t.Errorf("%v: %q, want %q", fill, got, want)
		}
	}
	if (Props{}).DominantColor() != "" {
		t.Error("no icon has a colour")
	}
}

func TestNotifyServer(t *testing.T) {
	ctx := testContext(t)
	addr := StartBus(t)
	ns, err := NewNotifyServer(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()

	client := connect(t, addr)
	signals := make(chan *dbus.Signal, 10)
	client.Signal(signals)
	if err := client.AddMatchSignal(dbus.WithMatchInterface(notifyName)); err != nil {
		t.Fatal(err)
	}
	obj := client.Object(notifyName, notifyPath)
	type imageHint struct {
		W, H, Stride   int32
		Alpha          bool
		Bits, Channels int32
		Data           []byte
	}
	notify := func(summary string, hints map[string]dbus.Variant) (uint32, error) {
		var id uint32
		err := obj.CallWithContext(ctx, notifyName+".Notify", 0, "app", uint32(0), "", summary, "body",
			[]string{}, hints, int32(-1)).Store(&id)
		return id, err
	}
	id1, err := notify("one", map[string]dbus.Variant{
		"urgency": dbus.MakeVariant(byte(0)),
		// 1x2 pixels, rows padded to 8 bytes.
		"image-data": dbus.MakeVariant(imageHint{1, 2, 8, true, 8, 4, []byte{1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := notify("two", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify("bad image", map[string]dbus.Variant{
		"image-data": dbus.MakeVariant(imageHint{1, 1, 3, false, 8, 3, []byte{1, 2, 3}}),
	}); err == nil {
		t.Error("an RGB image-data hint was accepted: the server only decodes RGBA")
	}

	r, err := ns.WaitFor(ctx, func(r Received) bool { return r.Summary == "two" })
	if err != nil || r.ID != id2 || r.Urgency != 1 || r.Image != nil || r.Sender != client.Names()[0] {
		t.Errorf("two: %+v %v", r, err)
	}
	got := ns.Notifications()
	if len(got) != 2 || got[0].ID != id1 || got[0].AppName != "app" || got[0].Body != "body" || got[0].Urgency != 0 ||
		got[0].Image.NRGBAAt(0, 1) != (color.NRGBA{5, 6, 7, 8}) {
		t.Errorf("notifications %+v", got)
	}

	if err := obj.CallWithContext(ctx, notifyName+".CloseNotification", 0, id1).Err; err != nil {
		t.Fatal(err)
	}
	if body := nextSignal(ctx, t, signals, notifyName+".NotificationClosed"); body[0] != id1 || body[1] != uint32(ClosedByCall) {
		t.Errorf("NotificationClosed %v", body)
	}
	ns.CloseAll()
	if body := nextSignal(ctx, t, signals, notifyName+".NotificationClosed"); body[0] != id2 || body[1] != uint32(ClosedDismissed) {
		t.Errorf("NotificationClosed %v", body)
	}
	if err := ns.Flush(ctx, client.Names()[0]); err != nil {
		t.Error(err)
	}
	for _, r := range ns.Notifications() {
		if !r.Closed {
			t.Errorf("%d not closed", r.ID)
		}
	}

	var name, vendor, version, spec string
	if err := obj.CallWithContext(ctx, notifyName+".GetServerInformation", 0).Store(&name, &vendor, &version, &spec); err != nil || spec != "1.2" {
		t.Errorf("GetServerInformation: %s %s %s %s %v", name, vendor, version, spec, err)
	}
	var caps []string
	if err := obj.CallWithContext(ctx, notifyName+".GetCapabilities", 0).Store(&caps); err != nil || !slices.Contains(caps, "body") {
		t.Errorf("GetCapabilities: %v %v", caps, err)
	}
}

func TestUnmnemonic(t *testing.T) {
	for in, want := range map[string]string{"_Open": "Open", "A__B": "A_B", "plain": "plain", "end_": "end", "": ""} {
		if got := unmnemonic(in); got != want {
			t.Errorf("unmnemonic(%q) = %q, want %q", in, got, want)
		}
	}
}
