package cli

import (
	"fmt"
	"strconv"
	"strings"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/prompt"
	"ehealth-tray/setup"
)

const setupUsage = "setup [--quality Q] [--inami N] [--niss N] [--name NAME] [--environment E] [--password-stdin] [--json]"

// qualityNames word each profession of config.Qualities.
var qualityNames = map[string]string{
	"doctor":          "setup.quality-doctor",
	"physiotherapist": "setup.quality-physiotherapist",
	"nurse":           "setup.quality-nurse",
	"dentist":         "setup.quality-dentist",
	"midwife":         "setup.quality-midwife",
}

// tries is how often a question at the terminal is asked before giving up.
const tries = 3

type setupJSON struct {
	Config   string       `json:"config"`
	Provider providerJSON `json:"provider"`
}

type providerJSON struct {
	Name        string `json:"name"`
	NISS        string `json:"niss"`
	INAMI       string `json:"inami"`
	Quality     string `json:"quality"`
	Keystore    string `json:"keystore"`
	Environment string `json:"environment"`
}

// runSetup writes a first configuration from the keystore in the keystore
// folder: no TOML to write by hand.
func runSetup(e *env, args []string) int {
	fs := newFlags(e, "setup", setupUsage)
	quality := fs.String("quality", "", e.loc.T("cli.flag-quality"))
	inami := fs.String("inami", "", e.loc.T("cli.flag-inami"))
	niss := fs.String("niss", "", e.loc.T("cli.flag-niss"))
	name := fs.String("name", "", e.loc.T("cli.flag-name"))
	environment := fs.String("environment", "", e.loc.T("cli.flag-environment"))
	pwStdin := fs.Bool("password-stdin", false, e.loc.T("cli.flag-password-stdin"))
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	path := config.Path(e.configFlag)
	// Said before any question: an existing config is never touched.
	if err := setup.Exists(path); err != nil {
		return e.failKind(*asJSON, err, "")
	}
	if (*quality == "" || *inami == "") && e.tty == nil {
		return fs.fail("setup.need-flags", nil)
	}
	if err := setup.CheckFlags(*quality, *inami, *niss, *environment); err != nil {
		return e.failKind(*asJSON, err, "")
	}
	cfg := config.Default()
	cands, err := setup.Candidates(cfg.KeystoreDirPath())
	if err != nil {
		return e.failKind(*asJSON, err, "")
	}
	c, err := setup.Pick(cands, *niss, *environment)
	if err != nil {
		return e.failKind(*asJSON, err, "")
	}
	fmt.Fprintln(e.stderr, e.loc.T("setup.keystore", map[string]any{"Path": c.Path}))
	plan := setup.Plan{Name: *name, NISS: c.NISS, Quality: *quality, INAMI: *inami, Environment: c.Environment,
		KeystoreDir: cfg.KeystoreDir, Keystore: c.Path}
	if err := e.askPlan(&plan); err != nil {
		return e.failKind(*asJSON, err, "")
	}
	pw, err := e.password(&cfg, *pwStdin, c.Path)
	if err != nil {
		return e.failKind(*asJSON, err, "password")
	}
	holder, err := setup.Prove(c, pw)
	prompt.Zero(pw)
	if err != nil {
		return e.failKind(*asJSON, err, "not-a-keystore")
	}
	if plan.Name == "" {
		plan.Name = holder
	}
	// Check normalizes the numbers to digits, as the file and JSON give them.
	if err := plan.Check(); err != nil {
		return e.failKind(*asJSON, err, "")
	}
	if err := setup.Write(path, plan); err != nil {
		return e.failKind(*asJSON, err, "")
	}
	return e.setupDone(*asJSON, path, plan)
}

// askPlan validates the profession and INAMI given as flags, and asks at
// the terminal for those missing.
func (e *env) askPlan(p *setup.Plan) error {
	if p.Quality == "" {
		q, err := e.askQuality()
		if err != nil {
			return err
		}
		p.Quality = q
	} else if err := setup.CheckQuality(p.Quality); err != nil {
		return err
	}
	if p.INAMI == "" {
		return e.ask(e.loc.T("setup.ask-inami"), func(answer string) error {
			_, err := setup.CheckINAMI(answer)
			p.INAMI = answer
			return err
		})
	}
	_, err := setup.CheckINAMI(p.INAMI)
	return err
}

// askQuality asks the profession as a numbered list.
func (e *env) askQuality() (string, error) {
	fmt.Fprintln(e.stderr, e.loc.T("setup.ask-quality"))
	for i, q := range config.Qualities {
		fmt.Fprintf(e.stderr, "  %d. %s\n", i+1, e.loc.T(qualityNames[q]))
	}
	var quality string
	err := e.ask(e.loc.T("setup.ask-choice", map[string]any{"Count": len(config.Qualities)}), func(answer string) error {
		quality = answer
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(config.Qualities) {
			quality = config.Qualities[n-1]
		}
		return setup.CheckQuality(quality)
	})
	return quality, err
}

// ask asks a question at the terminal until check accepts the answer, a
// few times at most; the last refusal is the error.
func (e *env) ask(question string, check func(answer string) error) error {
	var err error
	for range tries {
		fmt.Fprintf(e.stderr, "%s ", question)
		line, rerr := e.readLine()
		if rerr != nil {
			fmt.Fprintln(e.stderr)
			return rerr
		}
		if err = check(strings.TrimSpace(string(line))); err == nil {
			return nil
		}
		fmt.Fprintln(e.stderr, e.describe(err, "").Message)
	}
	return err
}

// setupDone says what was written.
func (e *env) setupDone(asJSON bool, path string, p setup.Plan) int {
	if asJSON {
		writeJSON(e.stdout, setupJSON{Config: path, Provider: providerJSON{
			Name: p.Name, NISS: p.NISS, INAMI: p.INAMI, Quality: p.Quality, Keystore: p.Keystore, Environment: p.Environment,
		}})
		return exitOK
	}
	l := e.loc
	fmt.Fprintln(e.stdout, l.T("setup.written", map[string]any{"Path": path}))
	fmt.Fprintln(e.stdout, l.T("setup.provider", map[string]any{
		"Name": p.Name, "NISS": cert.NISS(p.NISS).Format(), "INAMI": cert.INAMI(p.INAMI).Format(),
		"Quality": l.T(qualityNames[p.Quality]), "Environment": checks.EnvironmentName(l, p.Environment),
	}))
	fmt.Fprintln(e.stdout, l.T("setup.next"))
	return exitOK
}
