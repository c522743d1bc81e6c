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
		return e.fail("%v", err)
	}
	return e.runTrayApp(trayRun{cfg: cfg, stateDir: config.StateDir()})
}

// noTrayGrace is how long a missing tray host is given to appear.
const noTrayGrace = 20 * time.Second

// runTrayApp runs the tray in the foreground until Quit, SIGINT or SIGTERM,
// and ends the session on each.
func (e *env) runTrayApp(r trayRun) int {
	if err := os.MkdirAll(r.stateDir, 0o700); err != nil {
		return e.fail("%s", e.loc.T("cli.state-folder", map[string]any{"Dir": r.stateDir, "Error": err.Error()}))
	}
	logPath := filepath.Join(r.stateDir, "ehealth-tray.log")
	log, closeLog, err := logging.Open(logging.Options{Path: logPath, Level: e.logLevel, Format: e.logFormat, Mirror: e.stderr})
	if err != nil {
		fmt.Fprintf(e.stderr, "ehealth-tray: %v\n", err)
		return exitUsage
	}
	defer func() { _ = closeLog() }()
	// Libraries that log to the default logger land in our file too.
	slog.SetDefault(log)

	primary, err := instance.Acquire(r.stateDir)
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(e.stdout, e.loc.T("cli.already-running"))
		return exitOK
	}
	if err != nil {
		log.Warn("single-instance check unavailable", "err", err)
	} else {
		defer primary.Close()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pr, err := prompt.New(r.cfg.Prompt.Program)
	if err != nil {
		log.Error("no dialog program for passwords", "err", err)
		pr = unavailablePrompter{err}
	}
	notifier := notify.New("eHealth", log)
	core := app.New(app.Options{
		Config: r.cfg, StateDir: r.stateDir, Prompter: pr, Notifier: notifier, Log: log,
		PasswordHint: r.passwordHint, Wake: wake.Listen(ctx, log), LogPath: logPath, Demo: r.demo,
		Localizer: e.loc,
	})
	states := make(chan tray.State, 1)
	cmds := make(chan tray.Command)
	coreDone := make(chan struct{})
	go func() {
		defer close(coreDone)
		_ = core.Run(ctx, states, cmds)
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
	// Nobody reads stderr in a tray: a settings problem is logged and notified.
	if n := len(e.configIssues); n > 0 {
		for _, ci := range e.configIssues {
			log.Warn("settings problem; the default applies", "issue", ci.String())
		}
		_ = notifier.Notify(ctx, notify.Notification{
			Title: e.loc.N("notify.config-issues", n),
			Body:  e.loc.T("notify.config-issues-body", map[string]any{"Issue": e.configIssues[0].String()}),
		})
	}
	log.Info("ehealth-tray started", "version", version(), "config", r.cfg.Path, "state", r.stateDir)

	go func() {
		// At login the app may start before the panel, and tray.Run
		// registers when it comes: only a panel still missing after a grace
		// period is worth telling. Meanwhile notifications and the log carry
		// the news.
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
	}()
	tray.Run(ctx, logStates(ctx, states, log), cmds, log)
	stop()
	<-coreDone
	log.Info("ehealth-tray stopped")
	return exitOK
}

// logStates passes the core's states on to the tray and logs each new
// status line, so the log tells the story even without a tray.
func logStates(ctx context.Context, in <-chan tray.State, log *slog.Logger) <-chan tray.State {
	out := make(chan tray.State, 1)
	go func() {
		last := ""
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-in:
				if line := s.Status + " | " + s.Cert; line != last {
					log.Info("state", "status", s.Status, "certificate", s.Cert)
					last = line
				}
				// Newest wins: drop a state the tray has not taken yet.
				select {
				case <-out:
				default:
				}
				out <- s
			}
		}
	}()
	return out
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
