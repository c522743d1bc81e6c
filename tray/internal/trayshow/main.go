// Command trayshow shows the tray with a sample State (an active session,
// every menu line, two providers) for screenshots and manual checks:
//
//	go run ./tray/internal/trayshow [-icon active|none|ending-soon|connecting|problem]
//
// Clicks are logged. It quits on Quit, SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"ehealth-tray/icons"
	"ehealth-tray/tray"
)

func main() {
	iconName := flag.String("icon", "active", "icon state: active, none, ending-soon, connecting or problem")
	flag.Parse()
	kind, ok := map[string]icons.Kind{
		"active": icons.KindActive, "none": icons.KindNone, "ending-soon": icons.KindEndingSoon,
		"connecting": icons.KindConnecting, "problem": icons.KindProblem,
	}[*iconName]
	if !ok {
		fmt.Fprintf(os.Stderr, "trayshow: unknown -icon %q\n", *iconName)
		os.Exit(2)
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !tray.HostPresent(ctx) {
		log.Warn("no tray host yet")
	}

	states := make(chan tray.State, 1)
	states <- tray.State{
		Icon:    kind,
		Title:   "eHealth",
		Tooltip: "eHealth: active until 17:42 (via eID)",
		Status:  "Jan Peeters · active until 17:42 (via eID)",
		EID:     tray.Item{Visible: true, Enabled: true, Label: "Via eID"},
		Fallback: tray.Item{Visible: true, Enabled: true,
			Label: "Fallback procedure (certificate password)…"},
		Stop:   tray.Item{Visible: true, Enabled: true, Label: "Stop session"},
		Cert:   "Certificate valid until 2027-03-01 (95 days)",
		Offer:  tray.Item{Visible: true, Enabled: true, Label: "Use the new certificate of 2026-11-28…"},
		Renew:  tray.Item{Visible: true, Enabled: true, Label: "Renew certificate…"},
		Choice: tray.Choice{Options: []string{"Jan Peeters (physiotherapist)", "An Janssens (physiotherapist)"}},
	}
	cmds := make(chan tray.Command)
	go func() {
		for c := range cmds {
			log.Info("clicked", "command", c.Kind, "index", c.Index)
		}
	}()
	tray.Run(ctx, states, cmds, log)
}
