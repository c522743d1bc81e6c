package cli

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/prompt"
)

type certFileJSON struct {
	Path        string `json:"path"`
	SSIN        string `json:"ssin"`
	Environment string `json:"environment"`
	Created     string `json:"created"`
	Newest      bool   `json:"newest"`
}

func runCerts(e *env, args []string) int {
	fs := newFlags(e, "certs", "certs [--dir DIR] [--json]")
	dir := fs.String("dir", "", "keystore `DIR` (default: keystore_dir of the config)")
	asJSON := fs.Bool("json", false, "print JSON")
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
	if err != nil {
		return e.failKind(*asJSON, err, "keystore-dir")
	}
	if *asJSON {
		out := make([]certFileJSON, 0, len(files))
		for _, f := range files {
			out = append(out, certFileJSON{f.Path, f.SSIN, f.Environment, f.Created.UTC().Format(time.RFC3339), f.Newest})
		}
		writeJSON(e.stdout, out)
		return exitOK
	}
	if len(files) == 0 {
		fmt.Fprintf(e.stdout, "No eHealth keystore (SSIN=… .p12) in %s\n", *dir)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SSIN\tENVIRONMENT\tCREATED\tNEWEST\tFILE")
	for _, f := range files {
		newest := ""
		if f.Newest {
			newest = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.SSIN, f.Environment, f.Created.Format("2006-01-02 15:04"), newest, f.Path)
	}
	_ = tw.Flush()
	return exitOK
}

// failKind reports an error as {"error": {...}} with --json, else as text.
func (e *env) failKind(asJSON bool, err error, fallbackKind string) int {
	if asJSON {
		writeJSON(e.stdout, map[string]errorJSON{"error": {Kind: kindOf(err, fallbackKind), Message: err.Error()}})
		return exitFail
	}
	return e.fail("%v", err)
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
}

func runCert(e *env, args []string) int {
	if len(args) == 0 || args[0] != "inspect" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stderr, "Usage: ehealth-tray cert inspect FILE [--password-stdin] [--json]")
			return exitOK
		}
		fmt.Fprintln(e.stderr, "Usage: ehealth-tray cert inspect FILE [--password-stdin] [--json]")
		return exitUsage
	}
	fs := newFlags(e, "cert inspect", "cert inspect FILE [--password-stdin] [--json]")
	pwStdin := fs.Bool("password-stdin", false, "read the keystore password from the first line of standard input")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	path := expand(pos[0])
	if _, err := os.Stat(path); err != nil {
		return e.failKind(*asJSON, err, "not-found")
	}
	pw, err := e.password(&cfg, *pwStdin, "Password of the eHealth certificate "+path)
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
		Status:            string(cert.StatusAt(id.NotBefore, id.NotAfter, now, renewWindow)),
		AuthenticationKey: ks.Key != nil, EncryptionKeys: len(ks.EncryptionKeys),
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"File", out.Path}, {"SSIN", out.SSIN}, {"Holder", out.Holder}, {"Environment", out.Environment},
		{"Subject", out.Subject}, {"Issuer", out.Issuer},
		{"Valid from", id.NotBefore.Local().Format("2006-01-02 15:04")},
		{"Valid until", fmt.Sprintf("%s (%d days, %s)", id.NotAfter.Local().Format("2006-01-02 15:04"), out.DaysLeft, out.Status)},
		{"Encryption keys", fmt.Sprint(out.EncryptionKeys)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	_ = tw.Flush()
	return exitOK
}

// renewWindow is when eHealth opens renewal: about 90 days before expiry.
const renewWindow = 90 * 24 * time.Hour

type checkJSON struct {
	OK     bool           `json:"ok"`
	Checks []checks.Check `json:"checks"`
}

func runCheck(e *env, args []string) int {
	fs := newFlags(e, "check", "check [--config FILE] [--password-stdin] [--json]")
	pwStdin := fs.Bool("password-stdin", false, "read the keystore password from the first line of standard input")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	in := checks.Input{Config: &cfg, Now: time.Now()}
	if sel := cfg.SelectedProviders(); len(sel) == 1 {
		in.Provider = &sel[0]
		files, _ := cert.Discover(cfg.KeystoreDirPath())
		in.KeystorePath = checks.KeystoreFor(&cfg, sel[0], files)
	}
	if in.KeystorePath != "" {
		if _, statErr := os.Stat(in.KeystorePath); statErr != nil {
			in.KeystorePath = ""
		}
	}
	if in.KeystorePath != "" {
		pw, err := e.password(&cfg, *pwStdin, "Password of the eHealth certificate "+in.KeystorePath)
		if err != nil {
			fmt.Fprintf(e.stderr, "warning: password not read: %v\n", err)
		} else {
			in.Keystore, in.OpenErr = cert.Open(in.KeystorePath, pw)
			prompt.Zero(pw)
		}
	}
	res := checks.Evaluate(in)
	ok := checks.OK(res)
	if *asJSON {
		writeJSON(e.stdout, checkJSON{OK: ok, Checks: res})
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

// password reads the keystore password: the first line of stdin with
// --password-stdin, else the configured or system dialog.
func (e *env) password(cfg *config.Config, fromStdin bool, desc string) ([]byte, error) {
	if fromStdin {
		return e.readLine()
	}
	p, err := prompt.New(cfg.Prompt.Program)
	if err != nil {
		return nil, fmt.Errorf("%w (or pass --password-stdin)", err)
	}
	return p.Secret(context.Background(), prompt.Request{Title: "eHealth", Description: desc, Prompt: "Password:"})
}
