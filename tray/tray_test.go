//go:build linux

package tray

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"ehealth-tray/icons"
	"ehealth-tray/notify"
	"ehealth-tray/tray/traytest"
)

const (
	eidLabel      = "Via eID"
	fallbackLabel = "Fallback procedure (certificate password)…"
	stopLabel     = "Stop session"
	certLine      = "Certificate valid until 2027-03-01 (95 days)"
	offerLabel    = "Use the new certificate of 2026-11-28…"
	renewLabel    = "Renew certificate…"
)

// noSession is the State of a practitioner without a session.
func noSession() State {
	return State{
		Icon:     icons.KindNone,
		Title:    "eHealth",
		Tooltip:  "eHealth: no session",
		Status:   "Jan Peeters: no session",
		EID:      Item{Visible: true, Enabled: true, Label: eidLabel},
		Fallback: Item{Visible: true, Enabled: true, Label: fallbackLabel},
		Stop:     Item{Label: stopLabel},
		Cert:     certLine,
		Offer:    Item{Label: offerLabel},
		Renew:    Item{Visible: true, Enabled: true, Label: renewLabel},
	}
}

func active() State {
	s := noSession()
	s.Icon = icons.KindActive
	s.Tooltip = "eHealth: active until 17:42 (via eID)"
	s.Status = "Jan Peeters: active until 17:42"
	s.EID = Item{Visible: true, Label: eidLabel, Tooltip: "no card reader found"}
	s.Stop = Item{Visible: true, Enabled: true, Label: stopLabel}
	s.Offer = Item{Visible: true, Enabled: true, Label: offerLabel}
	s.Autostart, s.AutostartOn = Item{Visible: true, Enabled: true, Label: "Start with my session"}, true
	return s
}

// layout writes a menu as one line per item: "---" for a separator, then
// the label marked "[x]" or "[ ]" (checkbox), "(hidden)" or "(disabled)".
// Hidden items without a label (unused wrapping lines) are left out.
func layout(items []traytest.MenuItem) []string {
	var out []string
	for _, it := range items {
		if !it.Visible && it.Label == "" {
			continue
		}
		if it.Separator {
			out = append(out, "---")
			continue
		}
		l := it.Label
		if it.Checkable {
			l = map[bool]string{true: "[x] ", false: "[ ] "}[it.ToggleState == 1] + l
		}
		switch {
		case !it.Visible:
			l += " (hidden)"
		case !it.Enabled:
			l += " (disabled)"
		}
		out = append(out, l)
	}
	return out
}

// desktop is a private bus with a panel and a notification server.
type desktop struct {
	addr    string
	watcher *traytest.Watcher
	notes   *traytest.NotifyServer
}

func newDesktop(t *testing.T) *desktop {
	t.Helper()
	addr := traytest.StartBus(t)
	notes, err := traytest.NewNotifyServer(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(notes.Close)
	w, err := traytest.NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &desktop{addr: addr, watcher: w, notes: notes}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitLayout waits for the menu to read as want.
func waitLayout(ctx context.Context, t *testing.T, w *traytest.Watcher, want []string) []traytest.MenuItem {
	t.Helper()
	items, err := w.WaitMenu(ctx, func(items []traytest.MenuItem) bool { return slices.Equal(layout(items), want) })
	if err != nil {
		t.Fatalf("menu:\n  got  %q\n  want %q\n  (%v)", layout(items), want, err)
	}
	return items
}

func click(ctx context.Context, t *testing.T, w *traytest.Watcher, items []traytest.MenuItem, label string) {
	t.Helper()
	it, ok := traytest.Find(items, label)
	if !ok {
		t.Fatalf("no menu item %q in %q", label, layout(items))
	}
	if err := w.Click(ctx, it.ID); err != nil {
		t.Fatalf("click %q: %v", label, err)
	}
}

func expectCmd(ctx context.Context, c *child, want string) {
	c.t.Helper()
	if got := c.next(ctx, "CMD "); got != "CMD "+want {
		c.t.Fatalf("got %q, want %q", got, "CMD "+want)
	}
}

func waitProps(ctx context.Context, t *testing.T, w *traytest.Watcher, color, tooltip string) traytest.Props {
	t.Helper()
	p, err := w.WaitProps(ctx, func(p traytest.Props) bool {
		return p.DominantColor() == color && p.ToolTipTitle == tooltip
	})
	if err != nil {
		t.Fatalf("icon %q tooltip %q, want %q %q (%v)", p.DominantColor(), p.ToolTipTitle, color, tooltip, err)
	}
	return p
}

// samePixmap checks the panel got the icon file's pixels, anti-aliased edge
// included, to within what compositing shows.
func samePixmap(t *testing.T, got *image.NRGBA, pngData []byte) {
	t.Helper()
	want, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("pixmap %v, icon %v", got.Bounds(), want.Bounds())
	}
	for y := range got.Bounds().Dy() {
		for x := range got.Bounds().Dx() {
			g := got.NRGBAAt(x, y)
			w := color.NRGBAModel.Convert(want.At(x, y)).(color.NRGBA)
			for i, gv := range []uint8{g.R, g.G, g.B, g.A} {
				wv := []uint8{w.R, w.G, w.B, w.A}[i]
				if d := (int(gv) - int(wv)) * int(w.A) / 255; d < -2 || d > 2 {
					t.Fatalf("pixel (%d,%d): panel got %v, icon is %v", x, y, g, w)
				}
			}
		}
	}
}

func TestTrayRendersStatesAndForwardsClicks(t *testing.T) {
	ctx := testContext(t)
	d := newDesktop(t)
	c := startTray(t, d.addr)
	c.state(noSession())
	c.next(ctx, "READY")
	if _, err := d.watcher.WaitItem(ctx); err != nil {
		t.Fatal(err)
	}

	p := waitProps(ctx, t, d.watcher, "red", "eHealth: no session")
	if p.Title != "eHealth" || p.Status != "Active" {
		t.Errorf("Title %q Status %q", p.Title, p.Status)
	}
	samePixmap(t, p.Icon, icons.PNG(icons.KindNone))
	items := waitLayout(ctx, t, d.watcher, []string{
		"Jan Peeters: no session (disabled)",
		"---",
		eidLabel,
		fallbackLabel,
		stopLabel + " (hidden)",
		"---",
		certLine + " (disabled)",
		offerLabel + " (hidden)",
		renewLabel,
		"---",
		"Settings…",
		"Open log",
		"Quit",
	})
	click(ctx, t, d.watcher, items, eidLabel)
	expectCmd(ctx, c, "eid 0")
	click(ctx, t, d.watcher, items, "Settings…")
	expectCmd(ctx, c, "settings 0")

	c.state(active())
	waitProps(ctx, t, d.watcher, "green", "eHealth: active until 17:42 (via eID)")
	items = waitLayout(ctx, t, d.watcher, []string{
		"Jan Peeters: active until 17:42 (disabled)",
		"---",
		eidLabel + " (disabled)",
		"no card reader found (disabled)",
		fallbackLabel,
		stopLabel,
		"---",
		certLine + " (disabled)",
		offerLabel,
		renewLabel,
		"---",
		"[x] Start with my session",
		"Settings…",
		"Open log",
		"Quit",
	})
	click(ctx, t, d.watcher, items, stopLabel)
	expectCmd(ctx, c, "stop 0")
	click(ctx, t, d.watcher, items, offerLabel)
	expectCmd(ctx, c, "use-new-cert 0")
	click(ctx, t, d.watcher, items, "Start with my session")
	expectCmd(ctx, c, "autostart 0")

	for _, k := range []struct {
		kind  icons.Kind
		color string
	}{{icons.KindEndingSoon, "orange"}, {icons.KindConnecting, "grey"}, {icons.KindProblem, "red"}} {
		s := active()
		s.Icon, s.Tooltip = k.kind, "eHealth: "+k.kind.String()
		c.state(s)
		waitProps(ctx, t, d.watcher, k.color, s.Tooltip)
	}

	quit, _ := traytest.Find(items, "Quit")
	d.watcher.Click(ctx, quit.ID) // no error check: the tray may exit before it answers
	expectCmd(ctx, c, "quit 0")
	for range c.lines { // Run returns on Quit and the child exits
	}
}

func TestTrayProviderChoice(t *testing.T) {
	ctx := testContext(t)
	d := newDesktop(t)
	c := startTray(t, d.addr)
	s := noSession()
	s.Choice = Choice{Options: []string{"Jan Peeters", "An_Janssens"}, Selected: 1}
	s.Settings, s.OpenLog, s.Quit = "Instellingen…", "Logboek openen", "Afsluiten"
	c.state(s)
	c.next(ctx, "READY")

	top := []string{
		"Jan Peeters: no session (disabled)", "---", eidLabel, fallbackLabel, stopLabel + " (hidden)",
		"---", certLine + " (disabled)", offerLabel + " (hidden)", renewLabel, "---",
	}
	want := func(providers ...string) []string {
		w := slices.Concat(top, providers)
		if len(providers) > 0 {
			w = append(w, "---")
		}
		return append(w, "Instellingen…", "Logboek openen", "Afsluiten")
	}
	// "An_Janssens" survives dbusmenu's mnemonic underscores.
	items := waitLayout(ctx, t, d.watcher, want("[ ] Jan Peeters", "[x] An_Janssens"))
	click(ctx, t, d.watcher, items, "Jan Peeters")
	expectCmd(ctx, c, "choose 0")

	s.Choice.Selected = 0
	c.state(s)
	waitLayout(ctx, t, d.watcher, want("[x] Jan Peeters", "[ ] An_Janssens"))

	// Down to one provider: no choice; the rebuilt menu still forwards clicks.
	s.Choice.Options = nil
	c.state(s)
	items = waitLayout(ctx, t, d.watcher, want())
	click(ctx, t, d.watcher, items, "Logboek openen")
	expectCmd(ctx, c, "open-log 0")

	s.Choice = Choice{Options: []string{"A", "B", "C"}, Selected: 2}
	c.state(s)
	items = waitLayout(ctx, t, d.watcher, want("[ ] A", "[ ] B", "[x] C"))
	click(ctx, t, d.watcher, items, "C")
	expectCmd(ctx, c, "choose 2")
	click(ctx, t, d.watcher, items, eidLabel)
	expectCmd(ctx, c, "eid 0")
}

// restartPanel stops the panel and starts a new one, and reports whether the
// tray registered with it within wait.
func restartPanel(ctx context.Context, t *testing.T, d *desktop, wait time.Duration) bool {
	t.Helper()
	if d.watcher != nil {
		d.watcher.Close()
	}
	w, err := traytest.NewWatcher(d.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	d.watcher = w
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	_, err = w.WaitItem(wctx)
	return err == nil
}

// closedNotification has the tray's process send a notification, which the
// user then closes; it returns once the tray's connection could have seen
// NotificationClosed.
func closedNotification(ctx context.Context, t *testing.T, d *desktop, c *child) {
	t.Helper()
	sender, err := d.watcher.WaitItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.send(helperMsg{Notify: &notify.Notification{Title: "eHealth session ended", Body: "Open a new one from the tray."}})
	if got := c.next(ctx, "NOTIFIED "); got != "NOTIFIED ok" {
		t.Fatal(got)
	}
	if _, err := d.notes.WaitFor(ctx, func(r traytest.Received) bool { return r.Summary == "eHealth session ended" }); err != nil {
		t.Fatal(err)
	}
	d.notes.CloseAll()
	if err := d.notes.Flush(ctx, sender); err != nil {
		t.Fatal(err)
	}
}

// startWatchingTray starts the tray and waits until it re-registers after a
// panel restart: systray's re-registration loop is running from then on.
func startWatchingTray(ctx context.Context, t *testing.T, d *desktop, env ...string) *child {
	t.Helper()
	c := startTray(t, d.addr, env...)
	c.state(noSession())
	c.next(ctx, "READY")
	if _, err := d.watcher.WaitItem(ctx); err != nil {
		t.Fatal(err)
	}
	panelSeen(ctx, t, d)
	return c
}

// panelSeen (re)starts the panel until the tray registers with it. systray
// subscribes to panel starts only after its first registration attempt, and
// a start in between goes unseen, hence the retries.
func panelSeen(ctx context.Context, t *testing.T, d *desktop) {
	t.Helper()
	for attempt := 1; !restartPanel(ctx, t, d, time.Second); attempt++ {
		if attempt == 10 {
			t.Fatal("the tray did not register with a (re)started panel")
		}
	}
}

// The fyne-io/systray#131 case: a notification is sent and closed, then the
// panel restarts. The tray must register with the new panel.
func TestTrayReregistersAfterNotificationClosed(t *testing.T) {
	ctx := testContext(t)
	d := newDesktop(t)
	c := startWatchingTray(ctx, t, d)

	closedNotification(ctx, t, d, c)
	if !restartPanel(ctx, t, d, 15*time.Second) {
		t.Fatal("the tray did not register with the panel restarted after a notification was closed")
	}
	// The notification came over notify's own connection, not systray's.
	item, _ := d.watcher.WaitItem(ctx)
	if n := d.notes.Notifications(); len(n) != 1 || n[0].Sender == item || !n[0].Closed {
		t.Errorf("notifications %+v; tray item on %s", n, item)
	}
	c.state(active())
	waitProps(ctx, t, d.watcher, "green", "eHealth: active until 17:42 (via eID)")
}

// The same case with a notification listener on systray's shared
// connection loses the tray: this is why notify keeps its own connection,
// and it shows the test above can fail.
func TestIssue131SharedConnectionLosesTheTray(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a registration that must not come")
	}
	ctx := testContext(t)
	d := newDesktop(t)
	c := startWatchingTray(ctx, t, d, helperSharedBus+"=1")

	closedNotification(ctx, t, d, c)
	if restartPanel(ctx, t, d, 2*time.Second) {
		t.Fatal("fyne.io/systray re-registered despite a notification signal on its connection: " +
			"fyne-io/systray#131 looks fixed, notify's private connection may no longer be needed")
	}
}

// A tray started before any panel logs it, and appears when a panel starts.
func TestTrayWithoutPanelWaitsForOne(t *testing.T) {
	ctx := testContext(t)
	addr := traytest.StartBus(t)
	c := startTray(t, addr)
	c.state(noSession())
	c.next(ctx, "READY")
	for !strings.Contains(c.stderr.String(), "no system tray host") { // stderr is copied asynchronously
		if ctx.Err() != nil {
			t.Fatal("no warning logged")
		}
		time.Sleep(10 * time.Millisecond)
	}

	d := &desktop{addr: addr}
	panelSeen(ctx, t, d)
	waitProps(ctx, t, d.watcher, "red", "eHealth: no session")
}

func TestHostPresent(t *testing.T) {
	ctx := testContext(t)
	addr := traytest.StartBus(t)
	if HostPresent(ctx) {
		t.Error("HostPresent with no watcher on the bus")
	}
	w, err := traytest.NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	if !HostPresent(ctx) {
		t.Error("HostPresent false with a watcher on the bus")
	}
	w.Close()
	for HostPresent(ctx) { // the bus drops the name once it sees the disconnect
		if ctx.Err() != nil {
			t.Fatal("HostPresent still true after the watcher left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Without a session bus, Run logs and returns ErrNoSessionBus at once,
// without ever starting systray (this runs in the test process).
func TestRunWithoutSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), make(chan State), make(chan Command), log, func() { t.Error("the tray started without a bus") })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoSessionBus) {
			t.Fatalf("Run returned %v, want ErrNoSessionBus", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept running without a session bus")
	}
	if !strings.Contains(logs.String(), "no session bus") {
		t.Errorf("logs: %s", logs.String())
	}
}

func TestCommandKindString(t *testing.T) {
	seen := map[string]bool{}
	for k := CmdEID; k <= CmdETK; k++ {
		s := k.String()
		if s == "unknown" || seen[s] {
			t.Errorf("%d: %q", k, s)
		}
		seen[s] = true
	}
	if got := CommandKind(99).String(); got != "unknown" {
		t.Errorf("CommandKind(99) = %q", got)
	}
}

// The first run: the setup item with its reason on a line of its own, the
// profession as a titled choice; long lines wrapped, never over MaxLabel.
func TestTraySetupChoiceAndWrapping(t *testing.T) {
	ctx := testContext(t)
	d := newDesktop(t)
	c := startTray(t, d.addr)
	s := State{
		Icon:     icons.KindNone,
		Title:    "eHealth",
		Tooltip:  "eHealth: not set up yet",
		Status:   "ehealth-tray — Session eHealth active jusqu'à demain 16:42 (procédure de secours)",
		Notes:    []string{"Renewed encryption key (ETK) not activated yet"},
		Setup:    Item{Visible: true, Label: "Set up ehealth-tray…", Tooltip: "Choose your profession below first"},
		EID:      Item{Visible: true, Label: eidLabel, Tooltip: "Set up ehealth-tray first"},
		Fallback: Item{Visible: true, Label: fallbackLabel, Tooltip: "Set up ehealth-tray first"},
		ETK:      Item{Visible: true, Enabled: true, Label: "How to activate the renewed ETK…"},
		Renew:    Item{Visible: true, Enabled: true, Label: renewLabel},
		Choice:   Choice{Title: "Your profession:", Options: []string{"Doctor", "Physiotherapist", "Nurse"}, Selected: -1},
	}
	c.state(s)
	c.next(ctx, "READY")
	before := []string{
		"ehealth-tray — Session eHealth active jusqu'à (disabled)",
		"demain 16:42 (procédure de secours) (disabled)",
		"Renewed encryption key (ETK) not activated yet (disabled)",
		"---",
		"Set up ehealth-tray… (disabled)",
		"Choose your profession below first (disabled)",
		eidLabel + " (disabled)",
		"Set up ehealth-tray first (disabled)",
		fallbackLabel + " (disabled)",
		"Set up ehealth-tray first (disabled)",
		"---",
		renewLabel,
		"How to activate the renewed ETK…",
		"---",
		"Your profession: (disabled)",
		"[ ] Doctor",
		"[ ] Physiotherapist",
		"[ ] Nurse",
		"---",
		"Settings…",
		"Open log",
		"Quit",
	}
	items := waitLayout(ctx, t, d.watcher, before)
	for _, it := range items {
		if n := len([]rune(it.Label)); n > MaxLabel {
			t.Errorf("menu line of %d characters: %q", n, it.Label)
		}
	}
	click(ctx, t, d.watcher, items, "Physiotherapist")
	expectCmd(ctx, c, "choose 1")
	click(ctx, t, d.watcher, items, "How to activate the renewed ETK…")
	expectCmd(ctx, c, "etk 0")

	s.Choice.Selected = 1
	s.Setup = Item{Visible: true, Enabled: true, Label: "Set up ehealth-tray…"}
	c.state(s)
	// The same menu, the profession chosen: Set up enabled, its reason gone.
	after := slices.DeleteFunc(slices.Clone(before), func(l string) bool { return l == "Choose your profession below first (disabled)" })
	after[slices.Index(after, "Set up ehealth-tray… (disabled)")] = "Set up ehealth-tray…"
	after[slices.Index(after, "[ ] Physiotherapist")] = "[x] Physiotherapist"
	items = waitLayout(ctx, t, d.watcher, after)
	click(ctx, t, d.watcher, items, "Set up ehealth-tray…")
	expectCmd(ctx, c, "setup 0")
}
