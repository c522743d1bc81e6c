package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/etk"
	"ehealth-tray/prompt"
)

const etkUsage = "etk check [--config FILE] [--provider NAME] [--password-stdin] [--json]"

// etkHelp is the --help of etk and etk check.
var etkHelp = struct{ about, example string }{"etk.help-check", "ehealth-tray etk check --json"}

// etkJSON is the output of etk check --json.
type etkJSON struct {
	Status   string        `json:"status"`
	ETK      *etkCertJSON  `json:"etk"`
	Keystore etkKeysJSON   `json:"keystore"`
	Matches  *string       `json:"matches"`
	Warnings []warningJSON `json:"warnings,omitempty"`
}

type etkCertJSON struct {
	Serial    string `json:"serial"` // decimal, as the keystore names the key
	Subject   string `json:"subject"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
}

type etkKeysJSON struct {
	Path           string   `json:"path"`
	EncryptionKeys []string `json:"encryption_keys"`
}

// runEtk runs etk's one subcommand, check.
func runEtk(e *env, args []string) int {
	if len(args) > 0 && args[0] == "check" {
		return runEtkCheck(e, args[1:])
	}
	fs := newFlags(e, "etk", etkUsage)
	fs.about, fs.example = etkHelp.about, etkHelp.example
	fs.Bool("json", false, e.loc.T("cli.flag-json"))
	fs.args, fs.missing = 1, "cli.missing-subcommand"
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	return fs.fail("cli.unknown-subcommand", map[string]any{"Command": "etk", "Sub": pos[0], "Valid": "check"})
}

// runEtkCheck compares the ETK eHealth publishes with the keystore in use.
// Without --password-stdin it asks for no password: the serial check, the
// Technical Connector's, needs none; with it, the public keys are compared
// too.
func runEtkCheck(e *env, args []string) int {
	fs := newFlags(e, "etk check", etkUsage)
	fs.about, fs.example = etkHelp.about, etkHelp.example
	providerName := fs.String("provider", "", e.loc.T("cli.flag-provider"))
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("etk.flag-password-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	in, err := etkInput(&cfg, *providerName)
	if err != nil {
		return e.failKind(*asJSON, err, "error")
	}
	if *pwStdin {
		if in.Password, err = e.readPassword(); err != nil {
			return e.failKind(*asJSON, err, "no-stdin")
		}
		defer prompt.Zero(in.Password)
	}
	client, err := etk.NewClient(etk.Options{URL: cfg.ETKURL(), Timeout: cfg.STS.Timeout.Duration, CAFile: cfg.CAFilePath(), Logger: e.logger()})
	if err != nil {
		return e.failKind(*asJSON, err, "config")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := (&etk.Checker{Client: client, Log: e.logger()}).Check(ctx, in)
	if err != nil {
		return e.failKind(*asJSON, err, "error")
	}
	if *asJSON {
		out := etkOutput(res)
		if len(e.configIssues) > 0 {
			out.Warnings = e.warnings()
		}
		writeJSON(e.stdout, out)
	} else {
		e.printEtk(res)
	}
	if res.Status != etk.StatusOK {
		return exitFail
	}
	return exitOK
}

// etkInput is what the check of the provider named (or the selected one)
// needs: the NISS, the keystore in use, and the folder's other keystores.
func etkInput(cfg *config.Config, providerName string) (etk.Input, error) {
	p, err := pickProvider(cfg, providerName)
	if err != nil {
		return etk.Input{}, err
	}
	niss, err := cert.ParseNISS(p.NISS)
	if err != nil {
		return etk.Input{}, err
	}
	files, _ := cert.Discover(cfg.KeystoreDirPath()) // a missing folder leaves p.Keystore, if set
	path := checks.KeystoreFor(cfg, p, files)
	if path == "" {
		return etk.Input{}, &cliError{id: "error.certificate-not-found", kind: "certificate-not-found"}
	}
	return etk.Input{SSIN: string(niss), KeystorePath: path, Files: files}, nil
}

func etkOutput(r etk.Result) etkJSON {
	out := etkJSON{
		Status:   string(r.Status),
		Keystore: etkKeysJSON{Path: r.Keystore.Path, EncryptionKeys: append([]string{}, r.Keystore.Aliases...)},
	}
	if r.ETK != nil {
		subject, _ := cert.DN(r.ETK.RawSubject) // a parsed certificate's name always reads
		out.ETK = &etkCertJSON{
			Serial: r.ETK.SerialNumber.String(), Subject: subject,
			NotBefore: r.ETK.NotBefore.UTC().Format(time.RFC3339), NotAfter: r.ETK.NotAfter.UTC().Format(time.RFC3339),
		}
	}
	if r.Matches != "" {
		out.Matches = &r.Matches
	}
	return out
}

// etkVerdicts word each status; {{.Path}} is the keystore the ETK belongs to.
var etkVerdicts = map[etk.Status]string{
	etk.StatusOK:           "etk.status-ok",
	etk.StatusNotActivated: "etk.status-not-activated",
	etk.StatusMismatch:     "etk.status-mismatch",
	etk.StatusNotFound:     "etk.status-not-found",
}

// printEtk writes the verdict, then the ETK and the keystore in use.
func (e *env) printEtk(r etk.Result) {
	l := e.loc
	verdict := etkVerdicts[r.Status]
	if r.Status == etk.StatusMismatch && r.Matches != "" {
		verdict = "etk.status-mismatch-newer"
	}
	mark := "✘"
	if r.Status == etk.StatusOK {
		mark = "✔"
	}
	fmt.Fprintf(e.stdout, "%s %s\n\n", mark, l.T(verdict, map[string]any{"Path": r.Matches}))
	out := etkOutput(r)
	rows := [][2]string{}
	if c := out.ETK; c != nil {
		rows = append(rows,
			[2]string{l.T("etk.serial"), c.Serial}, [2]string{l.T("cli.inspect-subject"), c.Subject},
			[2]string{l.T("cli.inspect-valid-from"), l.DateTime(r.ETK.NotBefore)},
			[2]string{l.T("cli.inspect-valid-until"), l.DateTime(r.ETK.NotAfter)})
	}
	rows = append(rows,
		[2]string{l.T("etk.keystore"), out.Keystore.Path},
		[2]string{l.T("cli.inspect-encryption-keys"), strings.Join(out.Keystore.EncryptionKeys, ", ")})
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	_ = tw.Flush()
}
