package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/eid"
	"ehealth-tray/errkind"
	"ehealth-tray/etk"
	"ehealth-tray/i18n"
	"ehealth-tray/latest"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
	"ehealth-tray/reminders"
	"ehealth-tray/session"
	"ehealth-tray/sts"
	"ehealth-tray/tray"
	"ehealth-tray/watcher"
)

// Options wires the Core to the outside world. Everything with side effects
// is here, so tests replace the clock, the dialogs and the desktop.
type Options struct {
	Config   config.Config
	StateDir string
	// StateDirErr: the state folder was refused (another user's, a link):
	// the Core keeps its state in memory and says so once.
	StateDirErr error
	Prompter    prompt.Prompter
	Notifier    notify.Notifier
	Clock       session.Clock // nil = the system clock
	Log         *slog.Logger
	// OpenTarget opens a URL or a file with the desktop (nil = the OS opener).
	OpenTarget func(ctx context.Context, target string) error
	// PasswordHint is shown in the password dialog (the demo shows its password).
	PasswordHint string
	// Wake delivers a value when the machine wakes from sleep (nil = none).
	Wake <-chan struct{}
	// LogPath is the log file the menu's "Open log" opens.
	LogPath string
	// CardPresent reports whether an eID is present (nil = eid.Present).
	CardPresent func(ctx context.Context) (bool, error)
	// WatchSettle is the watcher's debounce (0 = its default).
	WatchSettle time.Duration
	// Demo disables what makes no sense for a throw-away demo (autostart).
	Demo bool
	// RetryDelays of the STS request (nil = sts.DefaultRetryDelays).
	RetryDelays []time.Duration
	// Localizer words everything the practitioner reads (nil = English).
	Localizer *i18n.Localizer
	// ExampleConfig is the commented example settings, written by
	// Settings… where no settings file exists yet (nil = none written).
	ExampleConfig []byte
}

// Core owns the active provider, the certificate records, the session,
// pending certificate offers and the reminder ledger, and renders them as a
// tray.State. Menu clicks come back as tray.Commands.
type Core struct {
	o       Options
	cfg     *config.Config
	loc     *i18n.Localizer
	log     *slog.Logger
	clock   session.Clock
	records *Records
	ledger  *reminders.Ledger

	mu          sync.Mutex
	provider    int         // index in cfg.Providers, -1 when none is usable
	current     string      // keystore path in use for the provider
	files       []cert.File // last discovery
	offer       *cert.File  // a newer keystore of the same person, not yet accepted
	notice      string      // last message, mirrored in the status line
	card        cardState   // eID availability, for the menu
	mgr         *session.Manager
	snap        session.Snapshot
	notified    map[string]bool // session notifications already given, by assertion id + kind
	stopMgr     context.CancelFunc
	busy        bool // a dialog or a session start is in progress
	autostartOn bool
	// stateWarned: a state dir that cannot be written is said once, not
	// at every save.
	stateWarned bool
	remMu       sync.Mutex // serialises checkReminders (the ledger is not safe for concurrent use)
	warning     string     // about the current session (INAMI mismatch), shown while it lasts
	cardProbing atomic.Bool
	skewTold    bool       // the clock difference was told
	profession  int        // index in config.Qualities chosen for the setup, -1 none
	etk         etkView    // the last ETK check's outcome, for the menu
	etkRec      etk.Record // the last ETK check, persisted
	etkChecking atomic.Bool
	etkAgain    atomic.Bool    // a check was asked for while one ran
	tasks       sync.WaitGroup // dialogs, session starts and ETK checks running, awaited by Run

	changed chan struct{}
	reloads chan string // a settings file the setup wrote, for Run to read
	out     *latest.Chan[tray.State]
	logged  string // the last status logged; only Run's goroutine renders
}

type cardState struct {
	known   bool
	present bool
	reason  string // why Via eID cannot work, when it cannot
}

// New builds the Core. It never fails on bad input: problems show in the
// menu; only an unusable state dir is reported (and the Core still works).
func New(o Options) *Core {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = session.SystemClock()
	}
	if o.OpenTarget == nil {
		o.OpenTarget = OpenWithDesktop
	}
	if o.CardPresent == nil {
		cfg := o.Config.EID
		o.CardPresent = func(ctx context.Context) (bool, error) {
			return eid.Present(ctx, eid.Config{Module: cfg.Module, TokenLabel: cfg.TokenLabel, KeyLabel: cfg.KeyLabel})
		}
	}
	c := &Core{
		o:          o,
		cfg:        &o.Config,
		loc:        o.Localizer,
		log:        o.Log,
		clock:      o.Clock,
		provider:   -1,
		notified:   map[string]bool{},
		changed:    make(chan struct{}, 1),
		reloads:    make(chan string, 1),
		out:        latest.New[tray.State](),
		profession: -1,
	}
	var err error
	c.records, err = LoadRecords(c.statePath("certificates.json"))
	if err != nil {
		c.log.Warn("certificate records not readable; starting without them", "err", err)
	}
	c.ledger, err = reminders.LoadLedger(c.statePath("reminders.json"))
	if err != nil {
		c.log.Warn("reminder ledger not readable; starting empty", "err", err)
	}
	c.loadETK()
	if sel := c.cfg.SelectedProviders(); len(sel) == 1 {
		for i, p := range c.cfg.Providers {
			if p.Name == sel[0].Name {
				c.provider = i
			}
		}
	}
	return c
}

// statePath is where the state file name lives: "" (memory only, see
// statefile.ErrMemoryOnly) when the state folder was refused, never a path
// relative to the working folder.
func (c *Core) statePath(name string) string {
	if c.o.StateDirErr != nil || c.o.StateDir == "" {
		return ""
	}
	return filepath.Join(c.o.StateDir, name)
}

// States is where the Core sends what the tray shows: the newest State
// wins, a stale one is dropped.
func (c *Core) States() <-chan tray.State { return c.out.Recv() }

// Run drives the Core until ctx is done or Quit is clicked. It renders on
// States and reads clicks from cmds. On return the session is ended.
func (c *Core) Run(ctx context.Context, cmds <-chan tray.Command) error {
	defer c.tasks.Wait() // after cancel: no task writes state once Run returned
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.o.StateDirErr != nil {
		c.stateProblem(c.o.StateDirErr)
	}
	c.discover()
	c.showETK()
	c.startManager(ctx)

	w, events := c.watch(ctx)
	go c.refreshCard(ctx)
	c.refreshAutostart()
	c.checkReminders(ctx)
	tick := c.clock.NewTimer(c.cfg.Session.CheckInterval.Duration)
	defer tick.Stop()
	lastWall, lastMono := time.Now(), time.Now()
	// Without wake-up events (macOS, Windows, Linux without logind) a
	// minute's poll notices the clock jump of a sleep, so the icon is red at
	// most a minute after waking past the end. With them, nothing polls.
	var poll <-chan time.Time
	if c.o.Wake == nil {
		t := time.NewTicker(wakePoll)
		defer t.Stop()
		poll = t.C
	}

	c.render()
	for {
		select {
		case <-ctx.Done():
			c.shutdown()
			return nil
		case cmd := <-cmds:
			if cmd.Kind == tray.CmdQuit {
				c.shutdown()
				return nil
			}
			c.handle(ctx, cmd)
		case ev := <-events:
			c.consider(ctx, ev.Path)
		case <-c.o.Wake:
			c.log.Info("woke from sleep: checking now")
			c.onWake(ctx, w)
		case <-poll:
			if wallJump(lastWall, lastMono) {
				c.onWake(ctx, w)
			}
			lastWall, lastMono = time.Now(), time.Now()
		case <-tick.C():
			tick = c.clock.NewTimer(c.cfg.Session.CheckInterval.Duration)
			// A suspended machine stops the monotonic clock: a wall clock
			// that ran ahead of it means we slept.
			if wallJump(lastWall, lastMono) {
				c.onWake(ctx, w)
			}
			lastWall, lastMono = time.Now(), time.Now()
			go c.refreshCard(ctx)
			c.checkReminders(ctx)
			c.checkETKIfDue(ctx)
		case path := <-c.reloads:
			c.reload(ctx, path)
		case <-c.changed:
		}
		c.render()
	}
}

// watch starts the keystore folder's watcher; without one (the folder
// cannot be watched), new keystores are noticed at the next start only.
func (c *Core) watch(ctx context.Context) (*watcher.Watcher, <-chan watcher.Event) {
	w, err := watcher.New(watcher.Options{
		Dir:      c.cfg.KeystoreDirPath(),
		Settle:   c.o.WatchSettle,
		Rescan:   c.cfg.Session.CheckInterval.Duration,
		Match:    func(name string) bool { _, ok := cert.ParseName(name); return ok },
		Complete: cert.ProbeFile, // complete = parses as a whole PKCS#12; nothing decrypted
		Logger:   c.log,
	})
	if err != nil {
		c.log.Error("keystore folder not watched", "dir", c.cfg.KeystoreDirPath(), "err", err)
		return nil, nil
	}
	go func() {
		if err := w.Run(ctx); err != nil {
			c.log.Error("keystore folder watcher stopped; new certificates are noticed at restart only", "err", err)
		}
	}()
	return w, w.Events()
}

// wakePoll is how often the clocks are compared where no wake-up event comes.
const wakePoll = time.Minute

// wallJump tells whether the wall clock ran ahead of the monotonic one since
// the last look: the machine slept (the monotonic clock stops in suspend).
func wallJump(lastWall, lastMono time.Time) bool {
	mono := time.Since(lastMono)
	wall := time.Now().Round(0).Sub(lastWall.Round(0))
	return wall-mono > time.Minute
}

func (c *Core) onWake(ctx context.Context, w *watcher.Watcher) {
	c.manager().Recheck()
	if w != nil {
		w.Rescan()
	}
	c.checkReminders(ctx)
	go c.refreshCard(ctx)
}

// kick asks Run to render again.
func (c *Core) kick() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *Core) manager() *session.Manager {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mgr
}

// startManager makes the session Manager of the active provider. A cached
// session of that provider and keystore comes back if still valid.
func (c *Core) startManager(ctx context.Context) {
	c.mu.Lock()
	p, ok := c.activeProvider()
	path := c.current
	c.mu.Unlock()
	key := ""
	if ok {
		key = p.NISS + "|" + path
	}
	mctx, stop := context.WithCancel(ctx)
	m := session.NewManager(session.ManagerOptions{
		Open:          c.openFunc(),
		Clock:         c.clock,
		CheckInterval: c.cfg.Session.CheckInterval.Duration,
		WarnBeforeEnd: c.cfg.Session.WarnBeforeEnd.Duration,
		CachePath:     c.statePath("session.json"),
		CacheKey:      key,
		Logger:        c.log,
	})
	sub, unsub := m.Subscribe()
	c.mu.Lock()
	c.mgr, c.stopMgr, c.snap = m, stop, m.Snapshot()
	c.mu.Unlock()
	go m.Run(mctx)
	go func() {
		defer unsub()
		for {
			select {
			case <-mctx.Done():
				return
			case s := <-sub:
				c.onSession(mctx, m, s)
			}
		}
	}()
}

// openFunc opens a session for whatever provider and keystore are active
// when the practitioner clicks.
func (c *Core) openFunc() session.OpenFunc {
	return func(ctx context.Context, m session.Method) (*session.Assertion, error) {
		c.mu.Lock()
		p, _ := c.activeProvider()
		op := &Opener{
			Config: c.cfg, Provider: p, KeystorePath: c.current, Log: c.log,
			Secrets:     c.secrets(),
			Now:         c.clock.Now,
			OnKeystore:  c.recordKeystore,
			RetryDelays: c.o.RetryDelays,
		}
		c.mu.Unlock()
		a, err := op.Open(ctx, m)
		if err == nil {
			c.checkNIHII(ctx, p, a)
		}
		return a, err
	}
}

// checkNIHII compares the INAMI number eHealth certified with the settings
// (protocol §5): a mismatch, or none certified for this profession, is shown
// for as long as the session lasts, and notified once.
func (c *Core) checkNIHII(ctx context.Context, p config.Provider, a *session.Assertion) {
	returned, mismatch := sts.NIHIIMismatch(a, p.INAMI)
	warning := ""
	switch {
	case mismatch && returned == "":
		warning = c.loc.T("status.nihii-none", map[string]any{"Quality": p.Quality})
	case mismatch:
		warning = c.loc.T("status.nihii-mismatch", map[string]any{"Returned": returned, "Configured": p.INAMI})
	}
	c.mu.Lock()
	changed := warning != c.warning
	c.warning = warning
	c.mu.Unlock()
	if warning != "" && changed {
		c.log.Warn("INAMI number certified by eHealth differs from the settings", "configured", p.INAMI, "returned", returned)
		c.notify(ctx, notify.Notification{Title: c.loc.T("notify.nihii"), Body: warning})
	}
}

func (c *Core) secrets() PromptSecrets {
	return PromptSecrets{Prompter: c.o.Prompter, Hint: c.o.PasswordHint, Localizer: c.loc}
}

// recordKeystore remembers a keystore's identity once it was opened with its
// password, so its expiry is known at the next start without the password.
func (c *Core) recordKeystore(path string, id cert.Identity) {
	if err := c.records.Put(Record{Path: path, Identity: id}); err != nil {
		c.stateProblem(err)
	}
}

func (c *Core) onSession(ctx context.Context, from *session.Manager, s session.Snapshot) {
	c.mu.Lock()
	if from != c.mgr {
		// A late snapshot of the previous provider's session.
		c.mu.Unlock()
		return
	}
	prev := c.snap
	c.snap = s
	once := func(kind string) bool {
		k := s.AssertionID + "/" + kind
		if c.notified[k] {
			return false
		}
		c.notified[k] = true
		return true
	}
	var n *notify.Notification
	switch s.State {
	case session.StateActive, session.StateEndingSoon:
		if s.Err != nil && s.Err != prev.Err && !IsCancel(s.Err) {
			// A renewal failed; the previous session goes on.
			c.notice = c.loc.T("status.renewal-failed", map[string]any{"Error": ErrorMessage(c.loc, s.Err)})
			n = &notify.Notification{Title: c.loc.T("notify.not-renewed"), Body: c.notice, Urgency: notify.Normal}
		} else if prev.State == session.StateStarting || s.AssertionID != prev.AssertionID {
			c.notice = ""
		}
		if s.State == session.StateEndingSoon && once("ending") {
			at := map[string]any{"Time": when(c.loc, s.NotOnOrAfter, c.clock.Now())}
			body := c.loc.T("notify.ending-fallback", at)
			if s.Method == session.MethodEID {
				body = c.loc.T("notify.ending-eid", at)
			}
			n = &notify.Notification{Title: c.loc.T("notify.ending"), Body: body, Urgency: notify.Normal}
			c.notice = c.loc.T("status.ends-at", at)
		}
	case session.StateExpired:
		if once("ended") {
			at := map[string]any{"Time": when(c.loc, s.NotOnOrAfter, c.clock.Now())}
			n = &notify.Notification{Title: c.loc.T("notify.ended"), Body: c.loc.T("notify.ended-body", at), Urgency: notify.Normal}
			c.notice = c.loc.T("status.ended-at", at)
		}
	case session.StateFailed:
		if !IsCancel(s.Err) {
			c.notice = ErrorMessage(c.loc, s.Err)
			n = &notify.Notification{Title: c.loc.T("notify.not-started"), Body: c.notice, Urgency: notify.Critical}
		}
	}
	skew := c.skewNoticeLocked(prev, s)
	c.mu.Unlock()
	for _, x := range []*notify.Notification{n, skew} {
		if x != nil {
			c.notify(ctx, *x)
		}
	}
	c.kick()
}

// skewNoticeLocked tells, once per run, that eHealth accepted a session
// while the computer's clock is off: the next start may be refused. Callers
// hold c.mu.
func (c *Core) skewNoticeLocked(prev, s session.Snapshot) *notify.Notification {
	if c.skewTold || s.AssertionID == "" || s.AssertionID == prev.AssertionID || !session.ClockSkewed(s.ClockSkew) {
		return nil
	}
	c.skewTold = true
	c.log.Warn("eHealth accepted the session though the computer's clock is off", "skew", s.ClockSkew)
	return &notify.Notification{Title: c.loc.T("notify.clock-skew"), Body: sts.SkewWarning(c.loc, s.ClockSkew), Urgency: notify.Normal}
}

func (c *Core) notify(ctx context.Context, n notify.Notification) {
	if c.o.Notifier == nil {
		return
	}
	nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = c.o.Notifier.Notify(nctx, n) // best effort; the notifier logs failures
}

// handle runs one menu command. Dialogs and session starts run in their own
// goroutine so that the menu and the checks keep working meanwhile.
func (c *Core) handle(ctx context.Context, cmd tray.Command) {
	switch cmd.Kind {
	case tray.CmdEID:
		c.background(ctx, func() { c.startEID(ctx) })
	case tray.CmdFallback:
		c.background(ctx, func() { c.startFallback(ctx) })
	case tray.CmdStop:
		c.manager().Stop()
		c.setNotice("")
	case tray.CmdUseNewCert:
		c.background(ctx, func() { c.useNewCertificate(ctx) })
	case tray.CmdRenew:
		c.openTarget(ctx, RenewalURL(c.loc.Lang()))
	case tray.CmdChoose:
		c.choose(ctx, cmd.Index)
	case tray.CmdSetup:
		c.background(ctx, func() { c.setup(ctx) })
	case tray.CmdETK:
		c.openTarget(ctx, RenewalURL(c.loc.Lang()))
	case tray.CmdAutostart:
		c.toggleAutostart()
	case tray.CmdSettings:
		c.openSettings(ctx)
	case tray.CmdOpenLog:
		if c.o.LogPath != "" {
			c.openTarget(ctx, c.o.LogPath)
		}
	}
}

// background runs f unless another dialog is open: two password dialogs at
// once would confuse anyone.
func (c *Core) background(ctx context.Context, f func()) {
	c.mu.Lock()
	if c.busy {
		c.mu.Unlock()
		return
	}
	c.busy = true
	c.mu.Unlock()
	c.tasks.Go(func() {
		defer func() {
			c.mu.Lock()
			c.busy = false
			c.mu.Unlock()
			c.kick()
		}()
		f()
	})
}

func (c *Core) setNotice(s string) {
	c.mu.Lock()
	c.notice = s
	c.mu.Unlock()
	c.kick()
}

func (c *Core) startEID(ctx context.Context) {
	present, err := c.o.CardPresent(ctx)
	c.setCard(present, err)
	if err != nil || !present {
		msg := c.loc.T("status.no-card")
		if err != nil {
			msg = ErrorMessage(c.loc, err)
		}
		c.setNotice(msg)
		c.notify(ctx, notify.Notification{Title: c.loc.T("notify.eid"), Body: msg, Urgency: notify.Normal})
		return
	}
	c.start(ctx, session.MethodEID)
}

func (c *Core) startFallback(ctx context.Context) {
	ok, err := c.o.Prompter.Confirm(ctx, prompt.Request{
		Title:       c.loc.T("dialog.fallback-title"),
		Description: c.loc.T("dialog.fallback"),
		OK:          c.loc.T("dialog.fallback-ok"), Cancel: c.loc.T("dialog.cancel"),
	})
	if err != nil || !ok {
		return
	}
	c.start(ctx, session.MethodFallback)
}

func (c *Core) start(ctx context.Context, m session.Method) {
	c.setNotice("")
	if err := c.manager().Start(ctx, m); err != nil {
		c.log.Info("session not started", "method", m, "kind", errkind.Of(err))
	} else {
		c.checkETK(ctx)
	}
	// Opening the keystore recorded its end date: reminders may be due now.
	c.checkReminders(ctx)
}

func (c *Core) selectProvider(ctx context.Context, i int) {
	c.mu.Lock()
	if i < 0 || i >= len(c.cfg.Providers) || i == c.provider {
		c.mu.Unlock()
		return
	}
	old, stop := c.mgr, c.stopMgr
	c.provider = i
	c.offer = nil
	c.notice = ""
	c.mu.Unlock()
	c.restartFor(ctx, old, stop)
}

// restartFor ends the session of the Manager old (stopped with stop) and
// starts afresh for the provider now chosen: a session belongs to one
// practitioner, and ends when another one takes over. The caller detached
// old under the lock.
func (c *Core) restartFor(ctx context.Context, old *session.Manager, stop context.CancelFunc) {
	old.Stop()
	stop()
	c.discover()
	c.startManager(ctx)
	c.checkReminders(ctx)
}

// refreshCard asks the eID module whether a card is there. A PKCS#11 call
// cannot be interrupted: if a hung middleware never answers, the next checks
// wait for it instead of piling up goroutines.
func (c *Core) refreshCard(ctx context.Context) {
	if !c.cardProbing.CompareAndSwap(false, true) {
		return
	}
	defer c.cardProbing.Store(false)
	present, err := c.o.CardPresent(ctx)
	c.setCard(present, err)
}

func (c *Core) setCard(present bool, err error) {
	c.mu.Lock()
	c.card = cardState{known: true, present: present}
	if err != nil {
		c.card.reason = ErrorMessage(c.loc, err)
	} else if !present {
		c.card.reason = c.loc.T("status.no-card-in-reader")
	}
	c.mu.Unlock()
	c.kick()
}

// shutdown ends the session: quitting the app ends it (ehealth-protocol §7).
func (c *Core) shutdown() {
	m := c.manager()
	if m != nil {
		m.Stop()
	}
	c.mu.Lock()
	if c.stopMgr != nil {
		c.stopMgr()
	}
	c.mu.Unlock()
}

// activeProvider returns the selected provider. Callers hold c.mu.
func (c *Core) activeProvider() (config.Provider, bool) {
	if c.provider < 0 || c.provider >= len(c.cfg.Providers) {
		return config.Provider{}, false
	}
	return c.cfg.Providers[c.provider], true
}
