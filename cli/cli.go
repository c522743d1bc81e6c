// Package cli implements ehealth-tray's command line: the subcommands, their
// flags, and the text and JSON output. main.go only calls Main.
//
// Exit codes: 0 ok, 1 failed, 2 usage. With --json, everything (errors
// included) goes to stdout as JSON.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"

	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/logging"
	"ehealth-tray/prompt"
	"ehealth-tray/textsafe"
)

// Version is stamped at build time with -ldflags "-X ehealth-tray/cli.Version=…".
var Version = ""

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// env is what a subcommand gets: the standard streams and the global flags.
type env struct {
	stdin          *prompt.Lines
	tty            *os.File // stdin, when it is an interactive terminal
	stdout, stderr io.Writer
	configFlag     string
	logLevel       string
	logFormat      string
	// configIssues are the problems loadConfig found; the tray shows them too.
	configIssues []config.Issue
	// loc words the output: the OS locale until the configuration is read,
	// then its language.
	loc *i18n.Localizer
	// exampleConfig is written by Settings… where no settings file exists.
	exampleConfig []byte
	// json is set when --json is on the command line: even a usage error
	// is then answered in JSON.
	json bool
	// spaceEnded is set when the last password read from stdin ended with a
	// space: a wrong-password message then says so.
	spaceEnded bool
}

type command struct {
	name, summary string // summary is a catalog message
	run           func(e *env, args []string) int
}

func commands() []command {
	return []command{
		{"certs", "cli.summary-certs", runCerts},
		{"cert", "cli.summary-cert", runCert},
		{"check", "cli.summary-check", runCheck},
		{"etk", "etk.summary", runEtk},
		{"session", "cli.summary-session", runSession},
		{"setup", "cli.summary-setup", runSetup},
		{"demo", "cli.summary-demo", runDemo},
		{"autostart", "cli.summary-autostart", runAutostart},
		{"version", "cli.summary-version", runVersion},
	}
}

// Main runs the command line and returns the exit code. What it writes
// goes through textsafe: text from elsewhere (an STS message, a config value)
// never reaches the terminal with control characters.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	out, errOut := textsafe.NewWriter(stdout), textsafe.NewWriter(stderr)
	defer out.Flush()
	defer errOut.Flush()
	e := &env{stdin: prompt.NewLines(stdin), stdout: out, stderr: errOut, loc: i18n.New(i18n.Detect("")), json: wantsJSON(args)}
	for _, o := range opts {
		o(e)
	}
	if f, ok := stdin.(*os.File); ok && prompt.IsTerminal(f) {
		e.tty = f
	}
	// A silent first pass finds --config, whose language then words the
	// usage text and everything after.
	_ = e.globalFlags().Parse(args)
	e.useConfigLanguage()
	// Global flags stop at the first command name.
	fs := e.globalFlags()
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return usageExit(&usageError{fs: fs, help: true})
	} else if err != nil {
		return usageExit(fs.diagnose(args))
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return runTray(e, nil)
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return c.run(e, rest[1:])
		}
	}
	return fs.fail("cli.unknown-command", map[string]any{"Command": rest[0]})
}

// globalFlags is the flag set of the flags before the command.
func (e *env) globalFlags() *flagSet {
	fs := &flagSet{
		FlagSet: flag.NewFlagSet("ehealth-tray", flag.ContinueOnError), e: e,
		synopsis: "[--config FILE] [--log-level LEVEL] [--log-format text|json] [command] [flags]",
		about:    helps[""].about, example: helps[""].example, more: e.printCommands,
	}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&e.configFlag, "config", "", e.loc.T("cli.flag-config-default", map[string]any{"Path": config.Path(""), "Env": configEnvRef(runtime.GOOS)}))
	e.logLevel, e.logFormat = "info", "text"
	fs.Var(choiceFlag{&e.logLevel, []string{"debug", "info", "warn", "error"}, "cli.bad-log-level"}, "log-level", e.loc.T("cli.flag-log-level"))
	fs.Var(choiceFlag{&e.logFormat, []string{"text", "json"}, "cli.bad-log-format"}, "log-format", e.loc.T("cli.flag-log-format"))
	return fs
}

// printCommands lists the commands, for the global help.
func (e *env) printCommands(w io.Writer) {
	fmt.Fprintln(w, e.loc.T("cli.commands"))
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, e.loc.T(c.summary))
	}
	fmt.Fprintf(w, "\n%s\n\n", e.loc.T("cli.command-help"))
}

// useConfigLanguage words the output in the configuration's language. The
// file is read quietly: the commands that use it report its issues.
func (e *env) useConfigLanguage() {
	cfg, _, _ := config.LoadFlag(e.configFlag)
	e.loc = i18n.New(i18n.Detect(cfg.Language))
}

// loadConfig loads the configuration and prints its issues to stderr: a typo
// never stops a command, the defaults apply.
func (e *env) loadConfig() (config.Config, error) {
	cfg, issues, err := config.LoadFlag(e.configFlag)
	e.loc = i18n.New(i18n.Detect(cfg.Language))
	e.configIssues = issues
	for _, i := range issues {
		e.warn(i.Localize(e.loc))
	}
	return cfg, err
}

func runVersion(e *env, args []string) int {
	fs := newFlags(e, "version", "version [--json]")
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
	}
	if *asJSON {
		writeJSON(e.stdout, map[string]string{"version": version()})
		return exitOK
	}
	fmt.Fprintln(e.stdout, "ehealth-tray", version())
	return exitOK
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// fail prints a plain error for humans.
func (e *env) fail(format string, a ...any) int {
	fmt.Fprintf(e.stderr, "ehealth-tray: "+format+"\n", a...)
	return exitFail
}

// expand resolves ~ in user-given paths.
func expand(p string) string { return config.ExpandPath(p) }

// logger writes to stderr (commands keep stdout for their output), at the
// --log-level given, warnings by default.
func (e *env) logger() *slog.Logger {
	level := slog.LevelWarn
	if e.logLevel != "info" {
		if l, err := logging.ParseLevel(e.logLevel); err == nil {
			level = l
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if e.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
