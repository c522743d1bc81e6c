package cli

import (
	"ehealth-tray/sts"

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
	"ehealth-tray/session"
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
}

const sessionUsage = "session start [--config FILE] [--provider NAME] --method eid|fallback [--password-stdin] [--json]"

func runSession(e *env, args []string) int {
	if len(args) == 0 || args[0] != "start" {
		e.usage(sessionUsage)
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return exitOK
		}
		return exitUsage
	}
	fs := newFlags(e, "session start", sessionUsage)
	providerName := fs.String("provider", "", e.loc.T("cli.flag-provider"))
	method := fs.String("method", "", e.loc.T("cli.flag-method"))
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("cli.flag-password-pin-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args[1:]); err != nil {
		return usageExit(err)
	}
	m := session.Method(*method)
	if m != session.MethodEID && m != session.MethodFallback {
		fmt.Fprintln(e.stderr, "ehealth-tray: "+e.loc.T("cli.bad-method"))
		fs.Usage()
		return exitUsage
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
	op := &app.Opener{Config: &cfg, Provider: p, KeystorePath: checks.KeystoreFor(&cfg, p, files), Secrets: secrets, Log: e.logger()}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a, err := op.Open(ctx, m)
	if err != nil {
		return e.sessionFail(*asJSON, err)
	}
	niss, _ := cert.ParseNISS(p.NISS)
	out := sessionJSON{
		State: "active", Method: string(m), SSIN: string(niss), AssertionID: a.ID,
		NotBefore: a.NotBefore.UTC().Format(time.RFC3339), NotOnOrAfter: a.NotOnOrAfter.UTC().Format(time.RFC3339),
		Attributes: a.Attributes,
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
			return p, &cliError{id: "cli.no-provider-named", data: map[string]any{"Name": name}}
		}
		return p, nil
	}
	sel := cfg.SelectedProviders()
	if len(sel) != 1 {
		return config.Provider{}, &cliError{id: "cli.select-provider"}
	}
	return sel[0], nil
}

func (e *env) sessionFail(asJSON bool, err error) int {
	ej := errorJSON{Kind: kindOf(err, "error"), Message: app.ErrorMessage(e.loc, err)}
	var fault *sts.STSFault
	var status *sts.STSStatusError
	switch {
	case errors.As(err, &fault):
		ej.Code = fault.Code
		ej.Message = fault.Message + " — " + app.ExplainSOA(e.loc, fault.Code)
	case errors.As(err, &status):
		ej.Code = status.Code
	}
	if asJSON {
		writeJSON(e.stdout, sessionJSON{State: "failed", Error: &ej})
		return exitFail
	}
	if ej.Code != "" {
		return e.fail("%s (%s)", ej.Message, ej.Code)
	}
	return e.fail("%s", ej.Message)
}

// stdinSecrets reads the password from the first line of stdin and the PIN
// from the second.
type stdinSecrets struct{ e *env }

func (s *stdinSecrets) KeystorePassword(context.Context, string) ([]byte, error) {
	return s.e.readLine()
}
func (s *stdinSecrets) PIN(context.Context) ([]byte, error) {
	pin, err := s.e.readLine()
	if err != nil {
		return nil, &cliError{id: "cli.pin-stdin"}
	}
	return pin, nil
}
