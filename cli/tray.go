package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/config"
	"ehealth-tray/instance"
	"ehealth-tray/logging"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
	"ehealth-tray/statefile"
	"ehealth-tray/tray"
	"ehealth-tray/wake"
)

// trayRun is what runTray and runDemo share: a loaded config, where the
// state lives, and what the demo adds.
type trayRun struct {
	cfg          config.Config
	stateDir     string
	passwordHint string
	// ready runs once the core is up (the demo drops a renewed keystore).
	ready func(ctx context.Context, log *slog.Logger)
	demo  bool
}

func runTray(e *env, args []string) int {
	fs := newFlags(e, "", "[--config FILE]")
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(false, err, "config") // a missing --config file exits 2
	}
	return e.runTrayApp(trayRun{cfg: cfg, stateDir: config.StateDir()})
}

// noTrayGrace is how long a missing tray host is given to appear.
const noTrayGrace = 20 * time.Second

// runTrayApp runs the tray in the foreground until Quit, SIGINT, SIGTERM or
// SIGHUP, and ends the session on each.
func (e *env) runTrayApp(r trayRun) int {
	st := prepareState(r.stateDir)
	log, closeLog, err := logging.Open(logging.Options{Path: st.logPath, Level: e.logLevel, Format: e.logFormat, Mirror: e.stderr})
	if err != nil {
		fmt.Fprintf(e.stderr, "ehealth-tray: %v\n", err)
		return exitUsage
	}
	defer func() { _ = closeLog() }()
	// Libraries that log to the default logger land in our file too.
	slog.SetDefault(log)

	primary, err := instance.Acquire(st.lockDir)
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(e.stdout, e.loc.T("cli.already-running"))
		return exitOK
	}
	if err != nil {
		// The lock alone decides the primary: without it, two trays could run.
		return e.fail("%s", app.ErrorMessage(e.loc, err))
	}
	defer primary.Close()
	if primary.Handover != nil {
		log.Warn("a second start cannot bring this tray forward", "err", primary.Handover)
	}

	// A closed terminal (SIGHUP) ends the app as cleanly as a logout (SIGTERM).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	pr, err := prompt.New(r.cfg.Prompt.Program)
	if err != nil {
		log.Error("no dialog program for passwords", "err", err)
		pr = unavailablePrompter{&prompt.UnavailableError{Program: r.cfg.Prompt.Program, Err: err}}
	}
	notifier := notify.New("eHealth", log)
	core := app.New(app.Options{
		Config: r.cfg, StateDir: r.stateDir, StateDirErr: st.err, Prompter: pr, Notifier: notifier, Log: log,
		PasswordHint: r.passwordHint, Wake: wake.Listen(ctx, log), LogPath: st.logPath, Demo: r.demo,
		Localizer: e.loc, ExampleConfig: e.exampleConfig,
	})
	cmds := make(chan tray.Command)
	coreDone := make(chan struct{})
	go func() {
		defer close(coreDone)
		_ = core.Run(ctx, cmds)
		stop()
	}()
	if primary != nil {
		go func() {
			for range primary.Activate {
				s := core.State()
				_ = notifier.Notify(ctx, notify.Notification{Title: e.loc.T("cli.already-running-title"), Body: s.Tooltip + "\n" + s.Cert})
			}
		}()
	}
	if r.ready != nil {
		go r.ready(ctx, log)
	}
	e.notifyConfigIssues(ctx, notifier, log)
	log.Info("ehealth-tray started", "version", version(), "config", r.cfg.Path, "state", r.stateDir)
	go e.watchForTray(ctx, notifier, log)

	err = tray.Run(ctx, core.States(), cmds, log)
	noBus := errors.Is(err, tray.ErrNoSessionBus)
	if noBus && r.demo {
		// The demo still runs its story on a bare machine: its log shows
		// every state (core.Run logs them) until Ctrl+C.
		fmt.Fprintf(e.stderr, "ehealth-tray: %s\n", e.loc.T("notify.no-session-bus"))
		<-ctx.Done()
	}
	stop()
	<-coreDone
	if noBus && !r.demo {
		fmt.Fprintf(e.stderr, "ehealth-tray: %s\n", e.loc.T("notify.no-session-bus"))
		return exitFail
	}
	log.Info("ehealth-tray stopped")
	return exitOK
}

// notifyConfigIssues logs and notifies settings problems: nobody reads
// stderr in a tray.
func (e *env) notifyConfigIssues(ctx context.Context, notifier notify.Notifier, log *slog.Logger) {
	n := len(e.configIssues)
	if n == 0 {
		return
	}
	for _, ci := range e.configIssues {
		log.Warn("settings problem; the default applies", "issue", ci.String())
	}
	_ = notifier.Notify(ctx, notify.Notification{
		Title: e.loc.N("notify.config-issues", n),
		Body:  e.loc.T("notify.config-issues-body", map[string]any{"Issue": e.configIssues[0].Localize(e.loc)}),
	})
}

// watchForTray tells, once, that no panel shows the icon. At login the app
// may start before the panel, and tray.Run registers when it comes: only a
// panel still missing after a grace period is worth telling. Meanwhile
// notifications and the log carry the news.
func (e *env) watchForTray(ctx context.Context, notifier notify.Notifier, log *slog.Logger) {
	if tray.HostPresent(ctx) {
		return
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(noTrayGrace):
	}
	if !tray.HostPresent(ctx) {
		log.Warn("no system tray found (on GNOME, the AppIndicator extension is needed); going on with notifications")
		_ = notifier.Notify(ctx, notify.Notification{Title: "eHealth", Body: e.loc.T("cli.no-tray")})
	}
}

// trayHint prints how to use the tray, or, where no panel shows tray icons,
// where the news will come instead.
func (e *env) trayHint(hint string) {
	if !tray.HostPresent(context.Background()) {
		hint = e.loc.T("notify.demo-no-tray")
	}
	fmt.Fprintln(e.stdout, hint)
}

// unavailablePrompter reports the missing dialog program on every question,
// so the tray shows why a session cannot start instead of crashing.
type unavailablePrompter struct{ err error }

func (u unavailablePrompter) Secret(context.Context, prompt.Request) ([]byte, error) {
	return nil, u.err
}
func (u unavailablePrompter) Confirm(context.Context, prompt.Request) (bool, error) {
	return false, u.err
}

// Option adjusts what Main runs with.
type Option func(*env)

// WithExampleConfig gives the commented example settings, which the tray's
// Settings… writes where no settings file exists yet.
func WithExampleConfig(example []byte) Option {
	return func(e *env) { e.exampleConfig = example }
}

// trayState is where the tray keeps its log and its lock.
type trayState struct {
	logPath string // "" = stderr only
	lockDir string
	err     error // the state folder was refused: run from memory
}

// prepareState makes the state folder private, or finds it refused (another
// user's, a link): then the log goes to stderr and the lock to the per-user
// runtime folder, so that one tray per user still holds.
func prepareState(dir string) trayState {
	if err := statefile.PrepareDir(dir); err != nil {
		runtime := config.RuntimeDir()
		if statefile.PrepareDir(runtime) != nil {
			runtime = dir // instance.Acquire refuses it, and no tray starts
		}
		return trayState{lockDir: runtime, err: err}
	}
	return trayState{logPath: filepath.Join(dir, "ehealth-tray.log"), lockDir: dir}
}
