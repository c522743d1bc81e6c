package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"ehealth-tray/demo"
	"ehealth-tray/i18n"
)

func runDemo(e *env, args []string) int {
	fs := newFlags(e, "demo", "demo [--keep]")
	keep := fs.Bool("keep", false, e.loc.T("cli.flag-keep"))
	renewAfter := nonNegativeDuration(fs, "renew-after", 30*time.Second, e.loc.T("cli.flag-renew-after"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	l := e.loc
	dir, err := os.MkdirTemp("", "ehealth-tray-demo-")
	if err != nil {
		return e.fail("%s", l.T("cli.demo-failed", map[string]any{"Error": err.Error()}))
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(e.stdout, l.T("cli.demo-folder", map[string]any{"Dir": dir}))
	d, err := demo.New(dir)
	if err != nil {
		return e.fail("%s", l.T("cli.demo-failed", map[string]any{"Error": err.Error()}))
	}
	defer d.Close()
	fmt.Fprintln(e.stdout, l.T("cli.demo-sts", map[string]any{"URL": d.STSURL}))
	fmt.Fprintln(e.stdout, l.T("cli.demo-keystore", map[string]any{"Path": d.Keystore, "Password": demo.Password, "Days": l.N("unit.days", demo.Days)}))
	fmt.Fprintln(e.stdout, cardNote(d, l))
	fmt.Fprintln(e.stdout, l.T("cli.demo-etk", map[string]any{"URL": d.ETKURL, "Renew": int((*renewAfter).Seconds()), "Delay": int(demo.ETKDelay.Seconds())}))
	e.trayHint(l.T("cli.demo-click"))
	return e.runTrayApp(trayRun{
		cfg:          d.Config,
		stateDir:     d.StateDir(),
		demo:         true,
		passwordHint: l.T("cli.demo-hint", map[string]any{"Password": demo.Password, "PIN": demo.PIN}),
		ready: func(ctx context.Context, log *slog.Logger) {
			d.Run(ctx, log, *renewAfter)
		},
	})
}

// cardNote words what the demo has for Via eID.
func cardNote(d *demo.World, l *i18n.Localizer) string {
	switch d.Card {
	case demo.CardNoSoftHSM:
		return l.T("cli.demo-no-softhsm")
	case demo.CardFailed:
		return l.T("cli.demo-card-failed", map[string]any{"Error": d.CardErr.Error()})
	}
	return l.T("cli.demo-card", map[string]any{"PIN": demo.PIN})
}
