package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ehealth-tray/autostart"
	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
	"ehealth-tray/reminders"
	"ehealth-tray/session"
	"ehealth-tray/session/eid"
	"ehealth-tray/tray"
	"ehealth-tray/watcher"
)

// Options wires the Core to the outside world. Everything with side effects
// is here, so tests replace the clock, the dialogs and the desktop.
type Options struct {
	Config   config.Config
	StateDir string
	Prompter prompt.Prompter
	Notifier notify.Notifier
	Clock    session.Clock // nil = the system clock
	Log      *slog.Logger
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
	// RetryDelays of the STS request (nil = DefaultRetryDelays).
	RetryDelays []time.Duration
	// Localizer words everything the practitioner reads (nil = English).
	Localizer *i18n.Localizer
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

	changed chan struct{}
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
		o:        o,
		cfg:      &o.Config,
		loc:      o.Localizer,
		log:      o.Log,
		clock:    o.Clock,
		provider: -1,
		notified: map[string]bool{},
		changed:  make(chan struct{}, 1),
	}
	var err error
	c.records, err = LoadRecords(filepath.Join(o.StateDir, "certificates.json"))
	if err != nil {
		c.log.Warn("certificate records not readable; starting without them", "err", err)
	}
	c.ledger, err = reminders.LoadLedger(filepath.Join(o.StateDir, "reminders.json"))
	if err != nil {
		c.log.Warn("reminder ledger not readable; starting empty", "err", err)
	}
	if sel := c.cfg.SelectedProviders(); len(sel) == 1 {
		for i, p := range c.cfg.Providers {
			if p.Name == sel[0].Name {
				c.provider = i
			}
		}
	}
	return c
}

// Run drives the Core until ctx is done or Quit is clicked. It renders on
// states (buffered, newest wins: a stale state is dropped) and reads clicks
// from cmds. On return the session is ended.
func (c *Core) Run(ctx context.Context, states chan tray.State, cmds <-chan tray.Command) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.discover()
	c.startManager(ctx)

	w, err := watcher.New(watcher.Options{
		Dir:      c.cfg.KeystoreDirPath(),
		Settle:   c.o.WatchSettle,
		Rescan:   c.cfg.Session.CheckInterval.Duration,
		Match:    func(name string) bool { _, ok := cert.ParseName(name); return ok },
		Complete: probeFile,
		Logger:   c.log,
	})
	var events <-chan watcher.Event
	if err != nil {
		c.log.Error("keystore folder not watched", "dir", c.cfg.KeystoreDirPath(), "err", err)
	} else {
		events = w.Events()
		go func() {
			if err := w.Run(ctx); err != nil {
				c.log.Error("keystore folder watcher stopped; new certificates are noticed at restart only", "err", err)
			}
		}()
	}

	go c.refreshCard(ctx)
	c.refreshAutostart()
	c.checkReminders(ctx)
	tick := c.clock.NewTimer(c.cfg.Session.CheckInterval.Duration)
	defer tick.Stop()
	lastWall, lastMono := time.Now(), time.Now()

	c.render(states)
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
		case <-c.changed:
		}
		c.render(states)
	}
}

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
		CachePath:     filepath.Join(c.o.StateDir, "session.json"),
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
				c.onSession(mctx, s)
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
		return op.Open(ctx, m)
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

func (c *Core) onSession(ctx context.Context, s session.Snapshot) {
	c.mu.Lock()
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
			at := map[string]any{"Time": c.loc.Time(s.NotOnOrAfter)}
			body := c.loc.T("notify.ending-fallback", at)
			if s.Method == session.MethodEID {
				body = c.loc.T("notify.ending-eid", at)
			}
			n = &notify.Notification{Title: c.loc.T("notify.ending"), Body: body, Urgency: notify.Normal}
			c.notice = c.loc.T("status.ends-at", at)
		}
	case session.StateExpired:
		if once("ended") {
			at := map[string]any{"Time": c.loc.Time(s.NotOnOrAfter)}
			n = &notify.Notification{Title: c.loc.T("notify.ended"), Body: c.loc.T("notify.ended-body", at), Urgency: notify.Normal}
			c.notice = c.loc.T("status.ended-at", at)
		}
	case session.StateFailed:
		if !IsCancel(s.Err) {
			c.notice = ErrorMessage(c.loc, s.Err)
			n = &notify.Notification{Title: c.loc.T("notify.not-started"), Body: c.notice, Urgency: notify.Critical}
		}
	}
	c.mu.Unlock()
	if n != nil {
		c.notify(ctx, *n)
	}
	c.kick()
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
	case tray.CmdSelectProvider:
		c.selectProvider(ctx, cmd.Provider)
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
	go func() {
		defer func() {
			c.mu.Lock()
			c.busy = false
			c.mu.Unlock()
			c.kick()
		}()
		f()
	}()
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
		c.log.Info("session not started", "method", m, "kind", kindOf(err))
	}
	// Opening the keystore recorded its end date: reminders may be due now.
	c.checkReminders(ctx)
}

// consider looks at a complete keystore file the watcher reported, and
// offers it when it is a newer one of the active provider for this
// environment. Another person's keystore is never offered.
func (c *Core) consider(ctx context.Context, path string) {
	f, ok := cert.ParseName(filepath.Base(path))
	if !ok {
		return
	}
	f.Path = path
	c.mu.Lock()
	p, hasP := c.activeProvider()
	niss, err := cert.ParseNISS(p.NISS)
	newer := hasP && err == nil && f.SSIN == string(niss) && f.Environment == c.cfg.Environment &&
		path != c.current && c.newerThanCurrent(f) && (c.offer == nil || f.Created.After(c.offer.Created))
	if newer {
		c.offer = &f
		c.notice = c.loc.T("notify.offer")
	}
	c.mu.Unlock()
	if newer {
		c.log.Info("newer keystore found", "file", filepath.Base(path))
		c.notify(ctx, notify.Notification{
			Title: c.loc.T("notify.offer"),
			Body:  c.loc.T("notify.offer-body", map[string]any{"File": filepath.Base(path)}),
		})
	}
	c.kick()
}

// newerThanCurrent compares the creation stamps in the file names. Callers
// hold c.mu.
func (c *Core) newerThanCurrent(f cert.File) bool {
	if c.current == "" {
		return true
	}
	cur, ok := cert.ParseName(filepath.Base(c.current))
	return !ok || f.Created.After(cur.Created)
}

// useNewCertificate asks the new keystore's password and switches to it when
// it is the same person's, newer and valid. Files are only read.
func (c *Core) useNewCertificate(ctx context.Context) {
	c.mu.Lock()
	offer := c.offer
	p, _ := c.activeProvider()
	oldRec, hadOld := c.records.Get(c.current)
	c.mu.Unlock()
	if offer == nil {
		return
	}
	pw, err := c.secrets().KeystorePassword(ctx, offer.Path)
	if err != nil {
		if !IsCancel(err) {
			c.setNotice(ErrorMessage(c.loc, err))
		}
		return
	}
	ks, err := cert.Open(offer.Path, pw)
	prompt.Zero(pw)
	if err != nil {
		c.setNotice(c.loc.T("status.new-cert-not-used", map[string]any{"Reason": ErrorMessage(c.loc, err)}))
		return
	}
	id := ks.Identity
	niss, _ := cert.ParseNISS(p.NISS)
	now := c.clock.Now()
	var refuse string
	switch {
	case id.SSIN != string(niss):
		refuse = c.loc.T("refuse.other-person", map[string]any{"SSIN": id.SSIN, "Name": p.Name, "NISS": string(niss)})
	case cert.StatusAt(id.NotBefore, id.NotAfter, now, 0) != cert.StatusValid && cert.StatusAt(id.NotBefore, id.NotAfter, now, 0) != cert.StatusRenewSoon:
		refuse = c.loc.T("refuse.not-valid", map[string]any{"From": c.loc.Date(id.NotBefore), "Until": c.loc.Date(id.NotAfter)})
	case hadOld && !id.NotAfter.After(oldRec.Identity.NotAfter):
		refuse = c.loc.T("refuse.not-later", map[string]any{"Date": c.loc.Date(oldRec.Identity.NotAfter)})
	case id.Environment != c.cfg.Environment:
		refuse = c.loc.T("refuse.environment", map[string]any{"Environment": checks.EnvironmentName(c.loc, id.Environment), "Configured": checks.EnvironmentName(c.loc, c.cfg.Environment)})
	}
	if refuse != "" {
		c.setNotice(c.loc.T("status.new-cert-not-used", map[string]any{"Reason": refuse}))
		c.notify(ctx, notify.Notification{Title: c.loc.T("notify.new-cert-refused"), Body: c.loc.T("notify.new-cert-refused-body", map[string]any{"Reason": refuse}), Urgency: notify.Normal})
		return
	}
	c.recordKeystore(offer.Path, id)
	c.mu.Lock()
	c.current = offer.Path
	c.offer = nil
	until := map[string]any{"Date": c.loc.Date(id.NotAfter)}
	c.notice = c.loc.T("status.new-cert-in-use", until)
	c.mu.Unlock()
	c.log.Info("switched to the new keystore", "file", filepath.Base(offer.Path), "not_after", id.NotAfter)
	c.notify(ctx, notify.Notification{Title: c.loc.T("notify.new-cert-in-use"), Body: c.loc.T("notify.new-cert-in-use-body", until)})
	c.checkReminders(ctx)
}

func (c *Core) selectProvider(ctx context.Context, i int) {
	c.mu.Lock()
	if i < 0 || i >= len(c.cfg.Providers) || i == c.provider {
		c.mu.Unlock()
		return
	}
	old := c.mgr
	stop := c.stopMgr
	c.provider = i
	c.offer = nil
	c.notice = ""
	c.mu.Unlock()
	// A session belongs to one practitioner: it ends when another one takes over.
	old.Stop()
	stop()
	c.discover()
	c.startManager(ctx)
	c.checkReminders(ctx)
}

// discover lists the keystore folder and picks the provider's keystore.
func (c *Core) discover() {
	files, err := cert.Discover(c.cfg.KeystoreDirPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.log.Warn("keystore folder not readable", "dir", c.cfg.KeystoreDirPath(), "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = files
	p, ok := c.activeProvider()
	if !ok {
		c.current = ""
		return
	}
	// The recorded keystore (accepted by the practitioner) wins over the
	// newest file: a newer file must be offered and confirmed first.
	if rec, ok := c.records.ForSSIN(p.NISS, c.cfg.Environment); ok && p.Keystore == "" && fileExists(rec.Path) {
		c.current = rec.Path
	} else {
		c.current = checks.KeystoreFor(c.cfg, p, files)
	}
	// Newer files already in the folder are offered like new arrivals.
	for _, f := range files {
		if f.SSIN == normalNISS(p.NISS) && f.Environment == c.cfg.Environment && f.Path != c.current && c.newerThanCurrent(f) {
			f := f
			if c.offer == nil || f.Created.After(c.offer.Created) {
				c.offer = &f
			}
		}
	}
}

func (c *Core) checkReminders(ctx context.Context) {
	c.mu.Lock()
	rec, ok := c.records.Get(c.current)
	c.mu.Unlock()
	if !ok {
		return
	}
	now := c.clock.Now()
	key := reminders.CertKey(rec.Identity.SSIN, rec.Identity.NotAfter)
	r, mark := reminders.Due(now, rec.Identity.NotAfter, key, c.cfg.Reminders.DaysBefore, c.ledger.GivenSet())
	if r == nil {
		return
	}
	if err := c.ledger.Mark(now, mark...); err != nil {
		c.stateProblem(err)
	}
	title, body := c.reminderText(r)
	c.setNotice(title)
	c.notify(ctx, notify.Notification{Title: title, Body: body, Urgency: reminderUrgency(r)})
}

func reminderUrgency(r *reminders.Reminder) int {
	if r.Expired || r.DaysLeft <= 7 {
		return notify.Critical
	}
	return notify.Normal
}

func (c *Core) reminderText(r *reminders.Reminder) (string, string) {
	date := map[string]any{"Date": c.loc.Date(r.NotAfter)}
	if r.Expired {
		return c.loc.T("notify.cert-expired"), c.loc.T("notify.cert-expired-body", date)
	}
	return c.loc.N("notify.cert-expires", r.DaysLeft), c.loc.T("notify.cert-expires-body", date)
}

func (c *Core) refreshCard(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	present, err := c.o.CardPresent(cctx)
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

// stateProblem reports, once per run, that the state dir cannot be written
// (read-only, full): the app keeps working from memory.
func (c *Core) stateProblem(err error) {
	c.mu.Lock()
	first := !c.stateWarned
	c.stateWarned = true
	if first {
		c.notice = c.loc.T("status.state-unwritable", map[string]any{"Dir": c.o.StateDir})
	}
	c.mu.Unlock()
	if !first {
		c.log.Debug("state not saved", "err", err)
		return
	}
	c.log.Warn("state dir not writable; running from memory", "dir", c.o.StateDir, "err", err)
	c.notify(context.Background(), notify.Notification{
		Title: c.loc.T("notify.state-unwritable"),
		Body:  c.loc.T("notify.state-unwritable-body", map[string]any{"Dir": c.o.StateDir, "Detail": err.Error()}),
	})
	c.kick()
}

// toggleAutostart flips "Start with my session". The menu shows what is on
// disk afterwards, not what was asked.
func (c *Core) toggleAutostart() {
	st, err := autostart.Status()
	if err == nil {
		if st.Enabled {
			err = autostart.Disable()
		} else {
			var e autostart.Entry
			if e, err = autostart.Self(c.autostartArgs()...); err == nil {
				err = autostart.Enable(e)
			}
		}
	}
	if err != nil {
		c.log.Warn("start with my session: not changed", "err", err)
		c.setNotice(c.loc.T("status.autostart-failed", map[string]any{"Error": err.Error()}))
	}
	c.refreshAutostart()
}

// autostartArgs keeps an explicit config file for the start at login.
func (c *Core) autostartArgs() []string {
	if c.cfg.Path == "" || c.cfg.Path == config.Path("") {
		return nil
	}
	if abs, err := filepath.Abs(c.cfg.Path); err == nil {
		return []string{"--config", abs}
	}
	return nil
}

func (c *Core) refreshAutostart() {
	st, err := autostart.Status()
	c.mu.Lock()
	c.autostartOn = err == nil && st.Enabled
	c.mu.Unlock()
	c.kick()
}

func (c *Core) openSettings(ctx context.Context) {
	path := c.cfg.Path
	if path == "" {
		path = config.Path("")
	}
	if !fileExists(path) && len(ExampleConfig) > 0 {
		// Creating the file is safe: there was nothing to lose.
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			if err := os.WriteFile(path, ExampleConfig, 0o600); err != nil {
				c.log.Warn("settings file not created", "path", path, "err", err)
			}
		}
	}
	c.openTarget(ctx, path)
}

func (c *Core) openTarget(ctx context.Context, target string) {
	if err := c.o.OpenTarget(ctx, target); err != nil {
		c.log.Warn("could not open", "target", target, "err", err)
		c.setNotice(c.loc.T("status.open-failed", map[string]any{"Target": target}))
	}
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

func (c *Core) render(states chan tray.State) {
	c.mu.Lock()
	s := c.stateLocked()
	c.mu.Unlock()
	// Drop a stale state the view has not taken yet; the newest one wins.
	select {
	case states <- s:
	default:
		select {
		case <-states:
		default:
		}
		select {
		case states <- s:
		default:
		}
	}
}

// State returns what the tray shows now.
func (c *Core) State() tray.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stateLocked()
}

func (c *Core) stateLocked() tray.State {
	now := c.clock.Now()
	l := c.loc
	s := tray.State{
		Title:    "eHealth",
		Settings: l.T("menu.settings"), OpenLog: l.T("menu.open-log"), Quit: l.T("menu.quit"),
		Renew: tray.Item{Visible: true, Enabled: true, Label: l.T("menu.renew")},
	}
	p, hasP := c.activeProvider()
	rec, hasRec := c.records.Get(c.current)

	// The session, derived from the end time and now, never from a flag.
	snap := c.snap
	state := snap.State
	if (state == session.StateActive || state == session.StateEndingSoon) && !now.Before(snap.NotOnOrAfter) {
		state = session.StateExpired
	}
	via := l.T("status.via-eid")
	if snap.Method == session.MethodFallback {
		via = l.T("status.via-fallback")
	}
	end := l.Time(snap.NotOnOrAfter)
	problem := c.problemLocked(p, hasP, rec, hasRec, now)
	var status string
	switch {
	case state == session.StateActive:
		s.Icon = icons.KindActive
		status = l.T("status.active", map[string]any{"Time": end, "Via": via})
	case state == session.StateEndingSoon:
		s.Icon = icons.KindEndingSoon
		status = l.T("status.ending", map[string]any{"Time": end})
	case state == session.StateStarting:
		s.Icon = icons.KindConnecting
		status = l.T("status.connecting")
	case problem != "":
		s.Icon = icons.KindProblem
		status = problem
	default:
		s.Icon = icons.KindNone
		status = l.T("status.none")
	}
	if s.Icon == icons.KindProblem {
		s.Tooltip = l.T("tooltip.problem", map[string]any{"Problem": problem})
	} else {
		s.Tooltip = l.T("tooltip.session", map[string]any{"Status": status})
	}
	name := l.T("status.no-provider")
	if hasP {
		name = p.Name
	}
	s.Status = name + " — " + status
	if c.notice != "" && state != session.StateStarting {
		s.Status += " · " + c.notice
	}

	startable := hasP && c.current != "" && state != session.StateStarting && !c.busy
	s.EID = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.eid")}
	if state == session.StateActive || state == session.StateEndingSoon {
		s.EID.Label = l.T("menu.eid-renew")
	}
	switch {
	case !hasP:
		s.EID.Tooltip = l.T("menu.eid-no-provider")
	case c.current == "":
		s.EID.Tooltip = l.T("menu.eid-no-certificate")
	case c.card.known && !c.card.present:
		s.EID.Enabled = false
		s.EID.Tooltip = c.card.reason // the tray shows it next to the label
	}
	s.Fallback = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.fallback"), Tooltip: l.T("menu.fallback-tip")}
	s.Stop = tray.Item{Visible: state == session.StateActive || state == session.StateEndingSoon, Enabled: true, Label: l.T("menu.stop")}

	switch {
	case hasRec:
		left := cert.DaysLeft(rec.Identity.NotAfter, now)
		if left < 0 || !now.Before(rec.Identity.NotAfter) {
			s.Cert = l.T("menu.cert-expired", map[string]any{"Date": l.Date(rec.Identity.NotAfter)})
		} else {
			s.Cert = l.T("menu.cert-valid", map[string]any{"Date": l.Date(rec.Identity.NotAfter), "Days": l.N("unit.days", left)})
		}
	case c.current != "":
		s.Cert = l.T("menu.cert-unknown", map[string]any{"File": filepath.Base(c.current)})
	default:
		s.Cert = l.T("menu.cert-none")
	}
	if c.offer != nil {
		s.Offer = tray.Item{Visible: true, Enabled: !c.busy, Label: l.T("menu.use-new-cert", map[string]any{"SSIN": c.offer.SSIN, "Date": l.Date(c.offer.Created)})}
	}
	s.Autostart = tray.Item{Visible: true, Enabled: !c.o.Demo, Label: l.T("menu.autostart")}
	if c.o.Demo {
		s.Autostart.Tooltip = l.T("menu.autostart-demo")
	}
	s.AutostartOn = c.autostartOn
	if len(c.cfg.Providers) > 1 {
		for _, pr := range c.cfg.Providers {
			s.Providers = append(s.Providers, pr.Name)
		}
		s.SelectedProvider = c.provider
	}
	return s
}

// problemLocked says why a session cannot start, when it cannot.
func (c *Core) problemLocked(p config.Provider, hasP bool, rec Record, hasRec bool, now time.Time) string {
	switch {
	case !hasP && len(c.cfg.Providers) == 0:
		return c.loc.T("problem.no-provider")
	case !hasP:
		return c.loc.T("problem.select-provider")
	}
	if _, err := cert.ParseNISS(p.NISS); err != nil {
		return c.loc.T("problem.niss")
	}
	if _, err := cert.ParseINAMI(p.INAMI); err != nil {
		return c.loc.T("problem.inami")
	}
	if c.current == "" {
		return c.loc.T("problem.no-certificate")
	}
	if hasRec && !now.Before(rec.Identity.NotAfter) {
		return c.loc.T("problem.certificate-expired")
	}
	return ""
}

func normalNISS(s string) string {
	n, err := cert.ParseNISS(s)
	if err != nil {
		return ""
	}
	return string(n)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// probeFile is the watcher's completeness test: the file parses as a whole
// PKCS#12 structure. Nothing is decrypted.
func probeFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return cert.Probe(data)
}
