package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/session"
	"ehealth-tray/sts"
)

type sessionJSON struct {
	State        string            `json:"state"`
	Method       string            `json:"method,omitempty"`
	SSIN         string            `json:"ssin,omitempty"`
	AssertionID  string            `json:"assertion_id,omitempty"`
	NotBefore    string            `json:"not_before,omitempty"`
	NotOnOrAfter string            `json:"not_on_or_after,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Error        *errorJSON        `json:"error,omitempty"`
	// Warnings are the config file's problems.
	Warnings []warningJSON `json:"warnings"`
}

const sessionUsage = "session start [--config FILE] [--provider NAME] --method eid|fallback [--password-stdin] [--trace DIR] [--json]"

// runSession runs session's one subcommand, start.
func runSession(e *env, args []string) int {
	if len(args) > 0 && args[0] == "start" {
		return runSessionStart(e, args[1:])
	}
	fs := newFlags(e, "session", sessionUsage)
	fs.Bool("json", false, e.loc.T("cli.flag-json"))
	fs.args, fs.missing = 1, "cli.missing-subcommand"
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	return fs.fail("cli.unknown-subcommand", map[string]any{"Command": "session", "Sub": pos[0], "Valid": "start"})
}

func runSessionStart(e *env, args []string) int {
	fs := newFlags(e, "session start", sessionUsage)
	providerName := fs.String("provider", "", e.loc.T("cli.flag-provider"))
	method := fs.String("method", "", e.loc.T("cli.flag-method"))
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("cli.flag-password-pin-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	traceDir := fs.String("trace", "", e.loc.T("cli.flag-trace"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	m := session.Method(*method)
	if m != session.MethodEID && m != session.MethodFallback {
		return fs.fail("cli.bad-method", nil)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.sessionFail(*asJSON, err)
	}
	p, err := pickProvider(&cfg, *providerName)
	if err != nil {
		return e.sessionFail(*asJSON, err)
	}
	files, _ := cert.Discover(cfg.KeystoreDirPath())
	var secrets app.Secrets = &stdinSecrets{e: e}
	if !*pwStdin {
		ds, err := e.dialogSecrets(&cfg)
		if err != nil {
			return e.sessionFail(*asJSON, err)
		}
		secrets = ds
	}
	op := &app.Opener{Config: &cfg, Provider: p, KeystorePath: checks.KeystoreFor(&cfg, p, files), Secrets: secrets, Log: e.logger(), TraceDir: *traceDir}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a, err := op.Open(ctx, m)
	if err != nil && ctx.Err() != nil {
		// Ctrl+C: whatever the step interrupted says, it is a cancel.
		err = &cliError{id: "cli.canceled", kind: errkind.Canceled, err: err}
	}
	if err != nil {
		return e.sessionFail(*asJSON, err)
	}
	niss, _ := cert.ParseNISS(p.NISS)
	out := sessionJSON{
		State: "active", Method: string(m), SSIN: string(niss), AssertionID: a.ID,
		NotBefore: a.NotBefore.UTC().Format(time.RFC3339), NotOnOrAfter: a.NotOnOrAfter.UTC().Format(time.RFC3339),
		Attributes: a.Attributes, Warnings: e.warnings(),
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return exitOK
	}
	via := e.loc.T("status.via-eid")
	if m == session.MethodFallback {
		via = e.loc.T("status.via-fallback")
	}
	fmt.Fprintln(e.stdout, e.loc.T("cli.session-active", map[string]any{"DateTime": e.loc.DateTime(a.NotOnOrAfter), "Via": via, "ID": a.ID}))
	return exitOK
}

func pickProvider(cfg *config.Config, name string) (config.Provider, error) {
	if name != "" {
		p, ok := cfg.ProviderByName(name)
		if !ok {
			return p, &cliError{id: "cli.no-provider-named", kind: "no-provider", data: map[string]any{"Name": name}}
		}
		return p, nil
	}
	sel := cfg.SelectedProviders()
	if len(sel) != 1 {
		return config.Provider{}, &cliError{id: "cli.select-provider", kind: "no-provider"}
	}
	return sel[0], nil
}

func (e *env) sessionFail(asJSON bool, err error) int {
	ej := e.describe(err, "error")
	var fault *sts.STSFault
	var status *sts.STSStatusError
	switch {
	case errors.As(err, &fault):
		ej.Code = fault.Code
		// A fault that another error words (a skewed clock, eHealth
		// unavailable) keeps that error's message; eHealth's code stays.
		var worded i18n.Localized
		if !errors.As(err, &worded) {
			ej.Message = fault.Message + " — " + app.ExplainSOA(e.loc, fault.Code)
		}
	case errors.As(err, &status):
		ej.Code = status.Code
	}
	if asJSON {
		writeJSON(e.stdout, sessionJSON{State: "failed", Error: &ej, Warnings: e.warnings()})
	} else {
		e.printError(ej)
	}
	return exitFor(ej.Kind)
}

// stdinSecrets reads the password from the first line of stdin and the PIN
// from the second.
type stdinSecrets struct{ e *env }

func (s *stdinSecrets) KeystorePassword(context.Context, string) ([]byte, error) {
	return s.e.readPassword()
}
func (s *stdinSecrets) PIN(context.Context) ([]byte, error) {
	pin, err := s.e.readSecret("dialog.pin-prompt")
	if err != nil {
		return nil, &cliError{id: "cli.pin-stdin"}
	}
	return pin, nil
}
