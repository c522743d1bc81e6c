package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/cert/certtest"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/internal/clock/clocktest"
	"ehealth-tray/logging/logtest"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
	"ehealth-tray/sts/ststest"
	"ehealth-tray/tray"
)

// fakePrompter answers dialogs from fields; it counts what was asked.
type fakePrompter struct {
	mu       sync.Mutex
	password string
	confirm  bool
	asked    []string
}

func (p *fakePrompter) Secret(_ context.Context, r prompt.Request) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, r.Description)
	return []byte(p.password), nil
}

func (p *fakePrompter) Confirm(_ context.Context, r prompt.Request) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, r.Description)
	return p.confirm, nil
}

func (p *fakePrompter) set(password string) {
	p.mu.Lock()
	p.password = password
	p.mu.Unlock()
}

type fakeNotifier struct {
	mu   sync.Mutex
	sent []notify.Notification
}

func (n *fakeNotifier) Notify(_ context.Context, x notify.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, x)
	return nil
}

func (n *fakeNotifier) count(title string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, x := range n.sent {
		if strings.Contains(x.Title, title) {
			c++
		}
	}
	return c
}

const ssin = "79021802145"

type rig struct {
	t        *testing.T
	dir      string
	ksDir    string
	stateDir string
	ca       *certtest.CA
	sts      *ststest.Server
	cfg      config.Config
	clock    *clocktest.Clock
	log      *logtest.Tap
	prompter *fakePrompter
	notes    *fakeNotifier
	states   <-chan tray.State
	cmds     chan tray.Command
	cancel   context.CancelFunc
	done     chan struct{}
	last     tray.State
	loc      *i18n.Localizer // nil: English
}

// useSTS replaces the rig's STS simulator with one made with o, closed
// with the test.
func (r *rig) useSTS(o ststest.Options) {
	r.t.Helper()
	sim, err := ststest.New(o)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(sim.Close)
	r.sts, r.cfg.STS.URL = sim, sim.URL
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), clock: clocktest.New(time.Now()), log: logtest.New(), prompter: &fakePrompter{password: "s3cret", confirm: true}, notes: &fakeNotifier{}}
	r.ksDir = filepath.Join(r.dir, "keystore")
	r.stateDir = filepath.Join(r.dir, "state")
	if err := os.MkdirAll(r.ksDir, 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	if r.ca, err = certtest.NewCA(false); err != nil {
		t.Fatal(err)
	}
	if r.sts, err = ststest.New(ststest.Options{NIHII: "53886171521", TrustedCAs: nil}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.sts.Close)
	r.cfg = config.Default()
	r.cfg.KeystoreDir = r.ksDir
	r.cfg.STS.URL = r.sts.URL
	r.cfg.ETK.URL = "https://127.0.0.1:1/EtkDepot/v1" // nothing listens: an ETK check fails, quietly
	r.cfg.Providers = []config.Provider{{Name: "Test", NISS: ssin, INAMI: "53886171521", Quality: "physiotherapist", Selected: true}}
	return r
}

func (r *rig) keystore(who string, notAfter, created time.Time) string {
	r.t.Helper()
	fx, err := certtest.New(certtest.Options{SSIN: who, CA: r.ca, NotBefore: r.clock.Now().AddDate(-1, 0, 0), NotAfter: notAfter, Password: "s3cret"})
	if err != nil {
		r.t.Fatal(err)
	}
	p, err := fx.WriteFile(r.ksDir, created)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// start runs a core without an eID card.
func (r *rig) start() {
	r.run(Options{CardPresent: func(context.Context) (bool, error) { return false, nil }, WatchSettle: 100 * time.Millisecond})
}

// run runs a core with o, its rig's parts filled in: the settings, state
// folder, clock, log, notifier and language; the rig's prompter, a card
// present and a desktop that opens nothing unless o says otherwise.
func (r *rig) run(o Options) *Core {
	o.Config, o.StateDir, o.Notifier, o.Clock, o.Log, o.Localizer = r.cfg, r.stateDir, r.notes, r.clock, r.log.Logger(), r.loc
	if o.Prompter == nil {
		o.Prompter = r.prompter
	}
	if o.CardPresent == nil {
		o.CardPresent = func(context.Context) (bool, error) { return true, nil }
	}
	if o.OpenTarget == nil {
		o.OpenTarget = func(context.Context, string) error { return nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.cmds, r.done = cancel, make(chan tray.Command), make(chan struct{})
	core := New(o)
	r.states = core.States()
	go func() { defer close(r.done); _ = core.Run(ctx, r.cmds) }()
	return core
}

func (r *rig) stop() {
	r.cancel()
	<-r.done
}

// wait reads states until pred holds.
func (r *rig) wait(what string, pred func(tray.State) bool) tray.State {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if pred(r.last) {
			return r.last
		}
		select {
		case s := <-r.states:
			r.last = s
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s; last state: %+v", what, r.last)
		}
	}
}

func (r *rig) click(k tray.CommandKind) {
	r.t.Helper()
	select {
	case r.cmds <- tray.Command{Kind: k}:
	case <-time.After(5 * time.Second):
		r.t.Fatalf("core did not take command %v", k)
	}
}

func TestCoreSessionOfferSwitchStop(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.start()
	defer r.stop()

	s := r.wait("red start", func(s tray.State) bool { return s.Tooltip != "" })
	if s.Icon != icons.KindNone || s.Tooltip != "eHealth: no session" || s.Stop.Visible {
		t.Fatalf("start: %+v", s)
	}
	r.wait("eID disabled without a card", func(s tray.State) bool { return !s.EID.Enabled && s.EID.Tooltip != "" })

	r.click(tray.CmdFallback)
	s = r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })
	if !strings.Contains(s.Tooltip, "active until") || !strings.Contains(s.Tooltip, "fallback") || !s.Stop.Visible {
		t.Fatalf("active: %+v", s)
	}
	r.wait("certificate line after import", func(s tray.State) bool { return strings.Contains(s.Cert, "valid until") })

	// Another person's newer keystore: nothing. Then the same person's.
	other := r.keystore("75031712390", now.AddDate(3, 0, 0), now)
	ignored := fmt.Sprintf(`"msg":"keystore not offered","file":%q`, filepath.Base(other))
	r.wait("the other keystore considered", func(tray.State) bool {
		return strings.Contains(r.log.String(), ignored) || r.notes.count("New eHealth certificate") != 0
	})
	if r.notes.count("New eHealth certificate") != 0 {
		t.Fatal("another SSIN's keystore was offered")
	}
	newPath := r.keystore(ssin, now.AddDate(3, 0, 0), now)
	s = r.wait("offer", func(s tray.State) bool { return s.Offer.Visible && s.Offer.Enabled })
	if !strings.Contains(s.Offer.Label, now.Local().Format("2006-01-02")) || r.notes.count("New eHealth certificate found") != 1 {
		t.Fatalf("offer: %+v, notes %d", s.Offer, r.notes.count("New eHealth certificate found"))
	}
	before, _ := os.ReadFile(newPath)

	r.click(tray.CmdUseNewCert)
	want := now.AddDate(3, 0, 0).Local().Format("2006-01-02")
	s = r.wait("switched", func(s tray.State) bool { return !s.Offer.Visible && strings.Contains(s.Cert, want) })
	after, _ := os.ReadFile(newPath)
	if string(before) != string(after) {
		t.Fatal("the keystore file was modified")
	}

	r.click(tray.CmdStop)
	r.wait("red after stop", func(s tray.State) bool { return s.Icon == icons.KindNone && !s.Stop.Visible })
	if _, err := os.Stat(filepath.Join(r.stateDir, "session.json")); !os.IsNotExist(err) {
		t.Fatalf("cached assertion left after Stop: %v", err)
	}
}

func TestCoreWrongPasswordStaysRed(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.prompter.set("wrong")
	r.start()
	defer r.stop()
	r.wait("start", func(s tray.State) bool { return s.Tooltip != "" })
	r.click(tray.CmdFallback)
	s := r.wait("message", func(s tray.State) bool { return strings.Contains(strings.ToLower(lines(s)), "password") })
	if s.Icon == icons.KindActive {
		t.Fatalf("green after a wrong password: %+v", s)
	}
	if len(r.sts.Requests()) != 0 {
		t.Fatal("a request was sent with a wrong password")
	}
}

func TestCoreSleepPastEndGoesRedOnWake(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	wake := make(chan struct{}, 1)
	r.run(Options{Wake: wake})
	defer r.stop()

	r.click(tray.CmdFallback)
	r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })
	r.clock.Jump(25 * time.Hour) // asleep past the end: no timer fired
	wake <- struct{}{}
	s := r.wait("red after wake", func(s tray.State) bool { return s.Icon != icons.KindActive })
	if s.Icon != icons.KindNone {
		t.Fatalf("after wake: %+v", s)
	}
	s = r.wait("ended in the status line", func(s tray.State) bool { return strings.Contains(lines(s), "ended") })
	if r.notes.count("session ended") != 1 {
		t.Fatalf("after wake: %+v; ended notes %d", s, r.notes.count("session ended"))
	}
	// The fallback session is never restarted by itself: not at once, not
	// at the next regular check. Run returns once all it started is done.
	created := r.clock.Created()
	r.clock.Advance(r.cfg.Session.CheckInterval.Duration)
	r.clock.WaitCreated(t, created+2) // both the core and the Manager checked again
	r.stop()
	if n := r.log.Count("starting session: fallback procedure (exceptional use)"); n != 1 || len(r.sts.Requests()) != 1 {
		t.Fatalf("%d starts, %d requests: a session was started without a click", n, len(r.sts.Requests()))
	}
}

func TestCoreReminderOnceAcrossRestarts(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	notAfter := now.Add(7*24*time.Hour - time.Hour)
	r.imported(r.keystore(ssin, notAfter, now.AddDate(-3, 0, 0)))
	for run := 0; run < 2; run++ {
		r.start()
		r.wait("certificate line", func(s tray.State) bool { return strings.Contains(s.Cert, "6 days") })
		r.stop()
	}
	if n := r.notes.count("expires in 6 days"); n != 1 {
		t.Fatalf("7-day reminder given %d times over two runs", n)
	}
	r.notes.mu.Lock()
	defer r.notes.mu.Unlock()
	if len(r.notes.sent) != 1 || r.notes.sent[0].Urgency != notify.Critical {
		t.Fatalf("notes: %+v", r.notes.sent)
	}
}

func TestCoreAutostartToggle(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_DIRS", t.TempDir())
	r := newRig(t)
	r.start()
	defer r.stop()
	r.wait("autostart off", func(s tray.State) bool { return s.Autostart.Visible && s.Autostart.Enabled && !s.AutostartOn })
	r.click(tray.CmdAutostart)
	r.wait("autostart on", func(s tray.State) bool { return s.AutostartOn })
	file := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", "ehealth-tray.desktop")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no autostart entry on disk: %v", err)
	}
	r.click(tray.CmdAutostart)
	r.wait("autostart off again", func(s tray.State) bool { return !s.AutostartOn })
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("autostart entry left: %v", err)
	}
}

// imported records the keystore at path as if the practitioner had opened
// it once, so its end date is known without the password.
func (r *rig) imported(path string) cert.Identity {
	r.t.Helper()
	ks, err := cert.Open(path, []byte("s3cret"))
	if err != nil {
		r.t.Fatal(err)
	}
	recs, _ := LoadRecords(filepath.Join(r.stateDir, "certificates.json"))
	if err := recs.Put(Record{Path: path, Identity: ks.Identity}); err != nil {
		r.t.Fatal(err)
	}
	return ks.Identity
}

// lines is the status line and the notes under it, as the menu shows them.
func lines(s tray.State) string { return strings.Join(append([]string{s.Status}, s.Notes...), "\n") }
