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
	"errors"
	"log/slog"
	"slices"
	"sync"

	"fyne.io/systray"

	"ehealth-tray/icons"
)

// MaxLabel is the longest menu line, in characters. Labels of actionable
// items are held to it by the catalogs' tests; longer informative lines
// (status, notes, certificate, reasons) are wrapped onto further disabled
// lines, so that no menu grows wider than a phone screen's text.
const MaxLabel = 48

// Item is one actionable menu line.
type Item struct {
	Visible, Enabled bool
	Label            string
	// Tooltip carries the reason when the item is disabled. Linux and
	// Windows menus show no item tooltips, so there the reason is also
	// shown on a disabled line under the item.
	Tooltip string
}

// Choice is a one-level pick among options, shown as checkbox items of which
// one is checked: the provider when several share the machine, the
// profession at setup. Nothing is shown when Options is empty.
type Choice struct {
	Title    string // a disabled line above the options; none when empty
	Options  []string
	Selected int
}

// State is everything the tray shows. The menu follows product.md, in order:
// Status, Notes, Setup, EID, Fallback, Stop, Cert, Offer, Renew, ETK, Choice,
// Autostart, Settings, OpenLog, Quit.
type State struct {
	Icon icons.Kind
	// Title names the item to the panel; macOS shows it beside the icon.
	Title   string
	Tooltip string
	Status  string   // first menu line, always disabled; hidden when empty
	Notes   []string // disabled lines under the status: messages, warnings
	// Setup is "Set up ehealth-tray…", shown when no settings exist yet.
	Setup               Item
	EID, Fallback, Stop Item
	Cert                string // certificate line, disabled; hidden when empty
	Offer               Item   // "Use the new certificate of 2026-11-28…"
	Renew               Item
	// ETK opens the renewal guide when the renewed encryption key needs
	// the practitioner (issue 11); hidden otherwise.
	ETK    Item
	Choice Choice
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
	CmdChoose
	CmdSettings
	CmdOpenLog
	CmdQuit
	CmdAutostart // toggles "Start with my session"
	CmdSetup     // "Set up ehealth-tray…"
	CmdETK       // the ETK line: opens the renewal guide
)

// Command is a menu click. Index is the option of State.Choice for CmdChoose.
type Command struct {
	Kind  CommandKind
	Index int
}

// ErrNoSessionBus means the tray cannot be shown at all: there is no D-Bus
// session bus (Linux), so no panel could ever show the icon.
var ErrNoSessionBus = errors.New("no D-Bus session bus: the tray icon cannot be shown")

// Run shows the tray until Quit is clicked or ctx is done. It must run on the
// main goroutine, once per process. Nothing is shown before the first State
// arrives on states; every later State is rendered as it comes, and a closed
// states channel leaves the last one shown. Clicks are
// sent on cmds (Quit too, just before Run returns); the caller must keep
// receiving, since clicks made while a send is pending are lost. Once Run
// has returned, nothing more is sent on cmds.
//
// Without a session bus Run returns ErrNoSessionBus at once. When the bus
// has no tray host, Run logs it and keeps running: the icon appears if a
// panel starts later. The caller tells the user (notify).
func Run(ctx context.Context, states <-chan State, cmds chan<- Command, log *slog.Logger) error {
	return run(ctx, states, cmds, log, nil)
}

// run is Run with a hook called once the menu exists and its click loops
// are receiving; tests print READY from it.
func run(ctx context.Context, states <-chan State, cmds chan<- Command, log *slog.Logger, ready func()) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bus, host := probe(ctx)
	if !bus {
		// systray would crash on exit without a bus connection.
		log.Error("no session bus: the tray icon cannot be shown")
		return ErrNoSessionBus
	}
	var first State
	select {
	case s, ok := <-states:
		if !ok {
			return nil
		}
		first = s
	case <-ctx.Done():
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
	if err := removeIconFiles(); err != nil {
		log.Warn("temporary icon files not removed", "err", err)
	}
	return nil
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

// How many disabled lines each wrapped text may take.
const (
	statusSlots = 2
	noteSlots   = 6
	reasonSlots = 3
	certSlots   = 2
)

// menu is the built menu. It is rebuilt only when the choice changes,
// since systray can only append items.
type menu struct {
	choice                  Choice // the Title and Options it was built for
	status, notes           *lines
	setup, eid, fallback    *action
	stop                    *entry
	cert                    *lines
	offer                   *action
	renew, etk              *entry
	choiceTitle             *entry
	options                 []*entry
	autostart               *entry
	settings, openLog, quit *entry
}

// entry is a menu item with what it shows, so unchanged items are not sent again.
type entry struct {
	mi      *systray.MenuItem
	shown   Item
	checked bool
	set     bool // shown and checked were applied
}

// lines is a block of disabled menu lines showing texts wrapped to MaxLabel.
type lines struct{ slots []*entry }

// action is an actionable item and the lines that say why it is disabled.
type action struct {
	item   *entry
	reason *lines
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
	if fresh || s.Choice.Title != v.menu.choice.Title || !slices.Equal(s.Choice.Options, v.menu.choice.Options) {
		if !fresh {
			systray.ResetMenu() // closes the old click channels, ending their loops
		}
		v.menu = v.build(ctx, s.Choice)
	}

	m := v.menu
	m.status.show(s.Status)
	m.notes.show(s.Notes...)
	m.setup.apply(s.Setup)
	m.eid.apply(s.EID)
	m.fallback.apply(s.Fallback)
	m.stop.apply(s.Stop, false)
	m.cert.show(s.Cert)
	m.offer.apply(s.Offer)
	m.renew.apply(s.Renew, false)
	m.etk.apply(s.ETK, false)
	m.choiceTitle.apply(Item{Visible: s.Choice.Title != "", Label: s.Choice.Title}, false)
	for i, e := range m.options {
		e.apply(Item{Visible: true, Enabled: true, Label: s.Choice.Options[i]}, i == s.Choice.Selected)
	}
	m.autostart.apply(s.Autostart, s.AutostartOn)
	m.settings.apply(Item{Visible: true, Enabled: true, Label: or(s.Settings, "Settings…")}, false)
	m.openLog.apply(Item{Visible: true, Enabled: true, Label: or(s.OpenLog, "Open log")}, false)
	m.quit.apply(Item{Visible: true, Enabled: true, Label: or(s.Quit, "Quit")}, false)
	v.shown = s
}

// build adds every menu item, in product.md's order, and starts their click
// loops. It returns once the loops are receiving.
func (v *view) build(ctx context.Context, choice Choice) *menu {
	var started sync.WaitGroup
	add := func(k CommandKind) *entry {
		e := &entry{mi: systray.AddMenuItem("", "")}
		v.listen(ctx, &started, e.mi.ClickedCh, Command{Kind: k})
		return e
	}
	act := func(k CommandKind) *action { return &action{item: add(k), reason: addLines(reasonSlots)} }

	m := &menu{choice: Choice{Title: choice.Title, Options: slices.Clone(choice.Options)}}
	m.status = addLines(statusSlots)
	m.notes = addLines(noteSlots)
	systray.AddSeparator()
	m.setup = act(CmdSetup)
	m.eid = act(CmdEID)
	m.fallback = act(CmdFallback)
	m.stop = add(CmdStop)
	systray.AddSeparator()
	m.cert = addLines(certSlots)
	m.offer = act(CmdUseNewCert)
	m.renew = add(CmdRenew)
	m.etk = add(CmdETK)
	systray.AddSeparator()
	m.choiceTitle = addLines(1).slots[0]
	if len(choice.Options) > 0 {
		for i := range choice.Options {
			e := &entry{mi: systray.AddMenuItemCheckbox("", "", false)}
			v.listen(ctx, &started, e.mi.ClickedCh, Command{Kind: CmdChoose, Index: i})
			m.options = append(m.options, e)
		}
		systray.AddSeparator()
	}
	m.autostart = &entry{mi: systray.AddMenuItemCheckbox("", "", false)}
	v.listen(ctx, &started, m.autostart.mi.ClickedCh, Command{Kind: CmdAutostart})
	m.settings = add(CmdSettings)
	m.openLog = add(CmdOpenLog)
	m.quit = add(CmdQuit)
	started.Wait()
	return m
}

// addLines adds n disabled lines. Nobody listens to their clicks: systray
// drops clicks nobody receives, and a disabled line sends none.
func addLines(n int) *lines {
	b := &lines{}
	for range n {
		b.slots = append(b.slots, &entry{mi: systray.AddMenuItem("", "")})
	}
	return b
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
			v.log.Debug("tray menu clicked", "command", c.Kind, "index", c.Index)
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

// apply shows the item, and under it the reason it is disabled where menus
// show no tooltips.
func (a *action) apply(it Item) {
	a.item.apply(it, false)
	if it.Visible && !it.Enabled && reasonInLabel {
		a.reason.show(it.Tooltip)
	} else {
		a.reason.show()
	}
}

// show fills the lines with texts, each wrapped to MaxLabel, and hides the
// lines left over. Text that does not fit ends in "…" (the tooltip has it).
func (b *lines) show(texts ...string) {
	var all []string
	for _, t := range texts {
		all = append(all, Wrap(t, MaxLabel)...)
	}
	if len(all) > len(b.slots) {
		all = all[:len(b.slots)]
		all[len(all)-1] = fit(all[len(all)-1]+"…", MaxLabel)
	}
	for i, e := range b.slots {
		it := Item{}
		if i < len(all) {
			it = Item{Visible: true, Label: all[i]}
		}
		e.apply(it, false)
	}
}

// apply shows it (and the check mark of a checkbox item) if it changed.
func (e *entry) apply(it Item, checked bool) {
	if e.set && it == e.shown && checked == e.checked {
		return
	}
	e.mi.SetTitle(menuLabel(fit(it.Label, MaxLabel)))
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
	case CmdChoose:
		return "choose"
	case CmdSettings:
		return "settings"
	case CmdOpenLog:
		return "open-log"
	case CmdQuit:
		return "quit"
	case CmdAutostart:
		return "autostart"
	case CmdSetup:
		return "setup"
	case CmdETK:
		return "etk"
	}
	return "unknown"
}
