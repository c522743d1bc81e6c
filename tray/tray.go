// Package tray is the view: it shows a State snapshot as the tray icon,
// tooltip and menu, and sends menu clicks back as Commands. It holds no
// business logic; the app core decides what every State says.
//
// fyne.io/systray keeps global state and runs once per process, so Run must
// be called from main (macOS and Windows need the main thread), and tests run
// it in a child process (see the tray tests and package traytest).
package tray

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"fyne.io/systray"

	"ehealth-tray/icons"
)

// Item is one actionable menu line.
type Item struct {
	Visible, Enabled bool
	Label            string
	// Tooltip carries the reason when the item is disabled. Linux and
	// Windows menus show no item tooltips, so there the reason is also
	// appended to a disabled item's label: "Via eID — no card reader found".
	Tooltip string
}

// State is everything the tray shows. The menu follows product.md, in order:
// Status, EID, Fallback, Stop, Cert, Offer, Renew, Providers, Settings,
// OpenLog, Quit.
type State struct {
	Icon icons.Kind
	// Title names the item to the panel; macOS shows it beside the icon.
	Title               string
	Tooltip             string
	Status              string // first menu line, always disabled; hidden when empty
	EID, Fallback, Stop Item
	Cert                string // certificate line, disabled; hidden when empty
	Offer               Item   // "Use the new certificate (SSIN=… 2026-11-28)…"
	Renew               Item
	// Providers are shown as a one-level choice (checkbox items) only when
	// there are two or more; SelectedProvider is the checked one.
	Providers        []string
	SelectedProvider int
	// Autostart is the "Start with my session" checkbox; AutostartOn its mark.
	Autostart   Item
	AutostartOn bool
	// Labels of the last three lines; empty means the English default.
	Settings, OpenLog, Quit string
}

// CommandKind is the menu line that was clicked.
type CommandKind int

// The commands, one per actionable menu line.
const (
	CmdEID CommandKind = iota
	CmdFallback
	CmdStop
	CmdUseNewCert
	CmdRenew
	CmdSelectProvider
	CmdSettings
	CmdOpenLog
	CmdQuit
	CmdAutostart // toggles "Start with my session"
)

// Command is a menu click. Provider is the index into State.Providers for
// CmdSelectProvider.
type Command struct {
	Kind     CommandKind
	Provider int
}

// Run shows the tray until Quit is clicked or ctx is done. It must run on the
// main goroutine, once per process. Nothing is shown before the first State
// arrives on states; every later State is rendered as it comes, and a closed
// states channel leaves the last one shown. Clicks are
// sent on cmds (Quit too, just before Run returns); the caller must keep
// receiving, since clicks made while a send is pending are lost. Once Run
// has returned, nothing more is sent on cmds.
//
// When no tray host is present, Run logs it and keeps running: the icon
// appears if a panel starts later. The caller tells the user (notify).
func Run(ctx context.Context, states <-chan State, cmds chan<- Command, log *slog.Logger) {
	run(ctx, states, cmds, log, nil)
}

// run is Run with a hook called once the menu exists and its click loops
// are receiving; tests print READY from it.
func run(ctx context.Context, states <-chan State, cmds chan<- Command, log *slog.Logger, ready func()) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var first State
	select {
	case s, ok := <-states:
		if !ok {
			return
		}
		first = s
	case <-ctx.Done():
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	bus, host := probe(ctx)
	if !bus {
		// systray would crash on exit without a bus connection.
		log.Error("no session bus: the tray icon cannot be shown")
		drain(ctx, states)
		return
	}
	if !host {
		log.Warn("no system tray host (StatusNotifierWatcher) on the session bus: the icon will appear when a panel starts")
	}

	v := &view{log: log, cmds: cmds}
	var following sync.WaitGroup
	systray.Run(func() {
		// onReady must return: the menu is built here, updates come from a goroutine.
		v.render(ctx, first)
		following.Add(1)
		go func() {
			defer following.Done()
			v.follow(ctx, states)
		}()
		go func() {
			<-ctx.Done()
			systray.Quit()
		}()
		if ready != nil {
			ready()
		}
	}, func() {
		// systray calls this before closing its bus connection. Stop
		// rendering first: systray panics when it cannot emit a change.
		cancel()
		following.Wait()
	})
	cancel()
	v.clicks.Wait()
}

// drain receives states until ctx is done, so that the sender never blocks.
func drain(ctx context.Context, states <-chan State) {
	for {
		select {
		case _, ok := <-states:
			if !ok {
				states = nil
			}
		case <-ctx.Done():
			return
		}
	}
}

// view owns the systray items. Only one goroutine renders at a time: the
// onReady callback, then follow.
type view struct {
	log  *slog.Logger
	cmds chan<- Command

	shown  State // last State rendered, valid when menu != nil
	menu   *menu
	clicks sync.WaitGroup // the click loops
}

// menu is the built menu. It is rebuilt only when the provider choice
// changes, since systray can only append items.
type menu struct {
	providers                   []string // nil when the choice is not shown
	status, eid, fallback, stop *entry
	cert, offer, renew          *entry
	providerItems               []*entry
	autostart                   *entry
	settings, openLog, quit     *entry
}

// entry is a menu item with what it shows, so unchanged items are not sent again.
type entry struct {
	mi      *systray.MenuItem
	shown   Item
	checked bool
	set     bool // shown and checked were applied
}

func (v *view) follow(ctx context.Context, states <-chan State) {
	for {
		select {
		case s, ok := <-states:
			if !ok {
				states = nil // keep showing the last State
				continue
			}
			v.render(ctx, s)
		case <-ctx.Done():
			return
		}
	}
}

func (v *view) render(ctx context.Context, s State) {
	// fyne.io/systray panics when a D-Bus signal cannot be sent (bus gone);
	// a lost update must not take the app down.
	defer func() {
		if r := recover(); r != nil {
			v.log.Error("tray update failed", "panic", r)
		}
	}()
	fresh := v.menu == nil
	if fresh || s.Icon != v.shown.Icon {
		systray.SetIcon(iconBytes(s.Icon))
	}
	if fresh || s.Title != v.shown.Title {
		systray.SetTitle(s.Title)
	}
	if fresh || s.Tooltip != v.shown.Tooltip {
		systray.SetTooltip(s.Tooltip)
	}

	var providers []string
	if len(s.Providers) > 1 {
		providers = s.Providers
	}
	if fresh || !slices.Equal(providers, v.menu.providers) {
		if !fresh {
			systray.ResetMenu() // closes the old click channels, ending their loops
		}
		v.menu = v.build(ctx, providers)
	}

	m := v.menu
	m.status.apply(Item{Visible: s.Status != "", Label: s.Status}, false)
	m.eid.apply(s.EID, false)
	m.fallback.apply(s.Fallback, false)
	m.stop.apply(s.Stop, false)
	m.cert.apply(Item{Visible: s.Cert != "", Label: s.Cert}, false)
	m.offer.apply(s.Offer, false)
	m.renew.apply(s.Renew, false)
	for i, e := range m.providerItems {
		e.apply(Item{Visible: true, Enabled: true, Label: providers[i]}, i == s.SelectedProvider)
	}
	m.autostart.apply(s.Autostart, s.AutostartOn)
	m.settings.apply(Item{Visible: true, Enabled: true, Label: or(s.Settings, "Settings…")}, false)
	m.openLog.apply(Item{Visible: true, Enabled: true, Label: or(s.OpenLog, "Open log")}, false)
	m.quit.apply(Item{Visible: true, Enabled: true, Label: or(s.Quit, "Quit")}, false)
	v.shown = s
}

// build adds every menu item, in product.md's order, and starts their click
// loops. It returns once the loops are receiving.
func (v *view) build(ctx context.Context, providers []string) *menu {
	var started sync.WaitGroup
	add := func(c *Command) *entry {
		e := &entry{mi: systray.AddMenuItem("", "")}
		if c != nil {
			v.listen(ctx, &started, e.mi.ClickedCh, *c)
		}
		return e
	}
	cmd := func(k CommandKind) *Command { return &Command{Kind: k} }

	m := &menu{providers: providers}
	m.status = add(nil)
	systray.AddSeparator()
	m.eid = add(cmd(CmdEID))
	m.fallback = add(cmd(CmdFallback))
	m.stop = add(cmd(CmdStop))
	systray.AddSeparator()
	m.cert = add(nil)
	m.offer = add(cmd(CmdUseNewCert))
	m.renew = add(cmd(CmdRenew))
	systray.AddSeparator()
	if len(providers) > 0 {
		for i := range providers {
			e := &entry{mi: systray.AddMenuItemCheckbox("", "", false)}
			v.listen(ctx, &started, e.mi.ClickedCh, Command{Kind: CmdSelectProvider, Provider: i})
			m.providerItems = append(m.providerItems, e)
		}
		systray.AddSeparator()
	}
	m.autostart = &entry{mi: systray.AddMenuItemCheckbox("", "", false)}
	v.listen(ctx, &started, m.autostart.mi.ClickedCh, Command{Kind: CmdAutostart})
	m.settings = add(cmd(CmdSettings))
	m.openLog = add(cmd(CmdOpenLog))
	m.quit = add(cmd(CmdQuit))
	started.Wait()
	return m
}

// listen forwards clicks on ch as c until ch is closed (the menu was rebuilt)
// or ctx is done. systray drops clicks nobody receives, so the loop only
// ever blocks on receiving, or on sending to a caller that must keep up.
func (v *view) listen(ctx context.Context, started *sync.WaitGroup, ch <-chan struct{}, c Command) {
	started.Add(1)
	v.clicks.Add(1)
	go func() {
		defer v.clicks.Done()
		started.Done()
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-ctx.Done():
				return
			}
			v.log.Debug("tray menu clicked", "command", c.Kind, "provider", c.Provider)
			select {
			case v.cmds <- c:
			case <-ctx.Done():
				return
			}
			if c.Kind == CmdQuit {
				systray.Quit()
				return
			}
		}
	}()
}

// apply shows it (and the check mark of a checkbox item) if it changed.
func (e *entry) apply(it Item, checked bool) {
	if e.set && it == e.shown && checked == e.checked {
		return
	}
	label := menuLabel(it.Label)
	if !it.Enabled && it.Tooltip != "" && reasonInLabel {
		label += " — " + menuLabel(it.Tooltip)
	}
	e.mi.SetTitle(label)
	e.mi.SetTooltip(it.Tooltip)
	if it.Enabled {
		e.mi.Enable()
	} else {
		e.mi.Disable()
	}
	if it.Visible {
		e.mi.Show()
	} else {
		e.mi.Hide()
	}
	if checked {
		e.mi.Check()
	} else if e.mi.Checked() {
		e.mi.Uncheck()
	}
	e.shown, e.checked, e.set = it, checked, true
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (k CommandKind) String() string {
	switch k {
	case CmdEID:
		return "eid"
	case CmdFallback:
		return "fallback"
	case CmdStop:
		return "stop"
	case CmdUseNewCert:
		return "use-new-cert"
	case CmdRenew:
		return "renew"
	case CmdSelectProvider:
		return "select-provider"
	case CmdSettings:
		return "settings"
	case CmdOpenLog:
		return "open-log"
	case CmdQuit:
		return "quit"
	case CmdAutostart:
		return "autostart"
	}
	return "unknown"
}
