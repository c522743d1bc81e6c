package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"ehealth-tray/app"
	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/errkind"
	"ehealth-tray/prompt"
)

type certFileJSON struct {
	Path        string `json:"path"`
	SSIN        string `json:"ssin"`
	Environment string `json:"environment"`
	Created     string `json:"created"`
	Newest      bool   `json:"newest"`
}

// certsJSON is the output of certs when the config has problems.
type certsJSON struct {
	Certs    []certFileJSON `json:"certs"`
	Warnings []warningJSON  `json:"warnings"`
}

func runCerts(e *env, args []string) int {
	fs := newFlags(e, "certs", "certs [--dir DIR] [--json]")
	dir := fs.String("dir", "", e.loc.T("cli.flag-dir"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	if *dir == "" {
		cfg, err := e.loadConfig()
		if err != nil {
			return e.failKind(*asJSON, err, "config")
		}
		*dir = cfg.KeystoreDirPath()
	}
	files, err := cert.Discover(expand(*dir))
	if errors.Is(err, os.ErrNotExist) {
		// Said as what it is: the folder, not a certificate.
		err = &cliError{id: "cli.no-keystore-dir", data: map[string]any{"Dir": expand(*dir)}, err: err}
	}
	if err != nil {
		return e.failKind(*asJSON, err, "keystore-dir")
	}
	if *asJSON {
		out := make([]certFileJSON, 0, len(files))
		for _, f := range files {
			out = append(out, certFileJSON{f.Path, f.SSIN, f.Environment, f.Created.UTC().Format(time.RFC3339), f.Newest})
		}
		if len(e.configIssues) == 0 {
			writeJSON(e.stdout, out)
		} else {
			// The list stays a list; with config problems, it comes with them.
			writeJSON(e.stdout, certsJSON{Certs: out, Warnings: e.warnings()})
		}
		return exitOK
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stdout, e.loc.T("cli.no-keystores", map[string]any{"Dir": *dir}))
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, e.loc.T("cli.certs-header"))
	for _, f := range files {
		newest := ""
		if f.Newest {
			newest = e.loc.T("cli.yes")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.SSIN, checks.EnvironmentName(e.loc, f.Environment), e.loc.DateTime(f.Created), newest, f.Path)
	}
	_ = tw.Flush()
	return exitOK
}

type inspectJSON struct {
	Path              string `json:"path"`
	SSIN              string `json:"ssin"`
	Holder            string `json:"holder"`
	Environment       string `json:"environment"`
	Subject           string `json:"subject"`
	Issuer            string `json:"issuer"`
	NotBefore         string `json:"not_before"`
	NotAfter          string `json:"not_after"`
	DaysLeft          int    `json:"days_left"`
	Status            string `json:"status"`
	AuthenticationKey bool   `json:"authentication_key"`
	EncryptionKeys    int    `json:"encryption_keys"`
	// Warnings are the config file's problems.
	Warnings []warningJSON `json:"warnings"`
}

const certUsage = "cert inspect FILE [--password-stdin] [--json]"

// runCert runs cert's one subcommand, inspect.
func runCert(e *env, args []string) int {
	if len(args) > 0 && args[0] == "inspect" {
		return runCertInspect(e, args[1:])
	}
	fs := newFlags(e, "cert", certUsage)
	fs.Bool("json", false, e.loc.T("cli.flag-json"))
	fs.args, fs.missing = 1, "cli.missing-subcommand"
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	return fs.fail("cli.unknown-subcommand", map[string]any{"Command": "cert", "Sub": pos[0], "Valid": "inspect"})
}

func runCertInspect(e *env, args []string) int {
	fs := newFlags(e, "cert inspect", certUsage)
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("cli.flag-password-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	fs.args, fs.missing = 1, "cli.missing-file"
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	path := expand(pos[0])
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return e.failKind(*asJSON, &cliError{id: "cli.file-not-found", kind: "not-found", data: map[string]any{"File": path}}, "")
	}
	pw, err := e.password(&cfg, *pwStdin, path)
	if err != nil {
		return e.failKind(*asJSON, err, "password")
	}
	ks, err := cert.Open(path, pw)
	prompt.Zero(pw)
	if err != nil {
		return e.failKind(*asJSON, err, "not-a-keystore")
	}
	id := ks.Identity
	now := time.Now()
	out := inspectJSON{
		Path: path, SSIN: id.SSIN, Holder: id.Holder, Environment: id.Environment,
		Subject: id.Subject, Issuer: id.Issuer,
		NotBefore: id.NotBefore.UTC().Format(time.RFC3339), NotAfter: id.NotAfter.UTC().Format(time.RFC3339),
		DaysLeft:          cert.DaysLeft(id.NotAfter, now),
		Status:            string(cert.StatusAt(id.NotBefore, id.NotAfter, now, cert.DefaultRenewWindow)),
		AuthenticationKey: ks.Key != nil, EncryptionKeys: len(ks.EncryptionCerts),
		Warnings: e.warnings(),
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return exitOK
	}
	l := e.loc
	until := l.T("cli.inspect-until", map[string]any{"DateTime": l.DateTime(id.NotAfter), "Days": l.N("unit.days", out.DaysLeft), "Status": l.T(statusMessages[cert.Status(out.Status)])})
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{l.T("cli.inspect-file"), out.Path}, {"SSIN", out.SSIN}, {l.T("cli.inspect-holder"), out.Holder},
		{l.T("cli.inspect-environment"), checks.EnvironmentName(l, out.Environment)},
		{l.T("cli.inspect-subject"), out.Subject}, {l.T("cli.inspect-issuer"), out.Issuer},
		{l.T("cli.inspect-valid-from"), l.DateTime(id.NotBefore)},
		{l.T("cli.inspect-valid-until"), until},
		{l.T("cli.inspect-encryption-keys"), fmt.Sprint(out.EncryptionKeys)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	_ = tw.Flush()
	return exitOK
}

// statusMessages word a certificate's status in text output.
var statusMessages = map[cert.Status]string{
	cert.StatusValid:       "cli.status-valid",
	cert.StatusRenewSoon:   "cli.status-renew-soon",
	cert.StatusExpired:     "cli.status-expired",
	cert.StatusNotYetValid: "cli.status-not-yet-valid",
}

type checkJSON struct {
	OK       bool           `json:"ok"`
	Checks   []checks.Check `json:"checks"`
	Warnings []warningJSON  `json:"warnings"`
}

func runCheck(e *env, args []string) int {
	fs := newFlags(e, "check", "check [--config FILE] [--password-stdin] [--json]")
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("cli.flag-password-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	in := checks.Input{Config: &cfg, Now: time.Now(), Localizer: e.loc}
	if sel := cfg.SelectedProviders(); len(sel) == 1 {
		in.Provider = &sel[0]
		in.KeystorePath, in.KeystoreDirErr = checks.FindKeystore(&cfg, sel[0])
	}
	if in.KeystorePath != "" {
		if _, statErr := os.Stat(in.KeystorePath); statErr != nil {
			in.KeystorePath = ""
		}
	}
	if in.KeystorePath != "" {
		pw, err := e.password(&cfg, *pwStdin, in.KeystorePath)
		if err != nil {
			e.warn(e.loc.T("cli.password-not-read", map[string]any{"Error": e.describe(err, "").Message}))
		} else {
			in.Keystore, in.OpenErr = cert.Open(in.KeystorePath, pw)
			prompt.Zero(pw)
		}
	}
	res := checks.Evaluate(in)
	if e.spaceEnded && errkind.Of(in.OpenErr) == "wrong-password" {
		for i := range res {
			if res[i].ID == checks.CertificatePassword {
				res[i].Message = e.loc.T("cli.password-ends-with-space", map[string]any{"Error": res[i].Message})
			}
		}
	}
	ok := checks.OK(res)
	if *asJSON {
		writeJSON(e.stdout, checkJSON{OK: ok, Checks: res, Warnings: e.warnings()})
	} else {
		for _, c := range res {
			mark := "✔"
			if !c.OK {
				mark = "✘"
			}
			fmt.Fprintf(e.stdout, "%s %-24s %s\n", mark, c.ID, c.Message)
		}
	}
	if !ok {
		return exitFail
	}
	return exitOK
}

// password reads the password of the keystore at path: the first line of
// stdin with --password-stdin, else the configured or system dialog.
func (e *env) password(cfg *config.Config, fromStdin bool, path string) ([]byte, error) {
	if fromStdin {
		return e.readPassword()
	}
	secrets, err := e.dialogSecrets(cfg)
	if err != nil {
		return nil, err
	}
	// Ctrl+C at the prompt cancels it, and the terminal gets its echo back.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	pw, err := secrets.KeystorePassword(ctx, path)
	if ctx.Err() != nil {
		prompt.Zero(pw)
		return nil, &cliError{id: "error.canceled", kind: errkind.Canceled}
	}
	return pw, err
}

// dialogSecrets asks on the terminal when the command runs in one (no echo),
// else through the configured or system dialog program.
func (e *env) dialogSecrets(cfg *config.Config) (app.PromptSecrets, error) {
	if e.tty != nil && cfg.Prompt.Program == "" {
		return app.PromptSecrets{Prompter: prompt.Terminal{In: e.tty, Out: e.stderr}, Localizer: e.loc}, nil
	}
	if cfg.Prompt.Program == "" && !prompt.HasDisplay() {
		// No terminal and no display: a dialog program could only fail.
		return app.PromptSecrets{}, &prompt.UnavailableError{Err: errors.New("no terminal and no display")}
	}
	p, err := prompt.New(cfg.Prompt.Program)
	if err != nil {
		return app.PromptSecrets{}, &prompt.UnavailableError{Program: cfg.Prompt.Program, Err: err}
	}
	return app.PromptSecrets{Prompter: p, Localizer: e.loc}, nil
}
