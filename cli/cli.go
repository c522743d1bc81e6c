// Package cli implements ehealth-tray's command line: the subcommands, their
// flags, and the text and JSON output. main.go only calls Main.
//
// Exit codes: 0 ok, 1 failed, 2 usage. With --json, everything (errors
// included) goes to stdout as JSON.
package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"ehealth-tray/app"
	"ehealth-tray/config"
	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/logging"
	"ehealth-tray/prompt"
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
	stdin          *bufio.Reader
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
		{"session", "cli.summary-session", runSession},
		{"demo", "cli.summary-demo", runDemo},
		{"autostart", "cli.summary-autostart", runAutostart},
		{"version", "cli.summary-version", runVersion},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: bufio.NewReader(stdin), stdout: stdout, stderr: stderr, loc: i18n.New(i18n.Detect(""))}
	if f, ok := stdin.(*os.File); ok && prompt.IsTerminal(f) {
		e.tty = f
	}
	// A silent first pass finds --config, whose language then words the
	// usage text and everything after.
	pre := e.globalFlags(io.Discard)
	pre.Usage = func() {}
	_ = pre.Parse(args)
	e.useConfigLanguage()
	// Global flags stop at the first command name.
	fs := e.globalFlags(stderr)
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
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
	fmt.Fprintf(stderr, "ehealth-tray: %s\n", e.loc.T("cli.unknown-command", map[string]any{"Command": rest[0]}))
	fs.Usage()
	return exitUsage
}

// globalFlags is the flag set of the flags before the command; it prints
// to w.
func (e *env) globalFlags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ehealth-tray", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&e.configFlag, "config", "", e.loc.T("cli.flag-config-default", map[string]any{"Path": config.Path("")}))
	fs.StringVar(&e.logLevel, "log-level", "info", e.loc.T("cli.flag-log-level"))
	fs.StringVar(&e.logFormat, "log-format", "text", e.loc.T("cli.flag-log-format"))
	fs.Usage = func() {
		e.usage("[--config FILE] [--log-level LEVEL] [--log-format text|json] [command] [flags]")
		fmt.Fprintf(w, "%s\n\n%s\n", e.loc.T("cli.usage-tray"), e.loc.T("cli.commands"))
		for _, c := range commands() {
			fmt.Fprintf(w, "  %-9s %s\n", c.name, e.loc.T(c.summary))
		}
		fmt.Fprintf(w, "\n%s\n", e.loc.T("cli.global-flags"))
		fs.PrintDefaults()
		fmt.Fprintf(w, "\n%s\n", e.loc.T("cli.command-help"))
	}
	return fs
}

func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// parse parses flags that may come before or after positional arguments and
// returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlags makes a subcommand's flag set with the shared --config flag, so
// that it works after the command too.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.configFlag, "config", e.configFlag, e.loc.T("cli.flag-config"))
	fs.Usage = func() {
		e.usage(usage)
		e.flagsHeading()
		fs.PrintDefaults()
	}
	return fs
}

// usage prints the first line of a usage text.
func (e *env) usage(synopsis string) {
	fmt.Fprintf(e.stderr, "%s\n\n", e.loc.T("cli.usage", map[string]any{"Synopsis": synopsis}))
}

func (e *env) flagsHeading() { fmt.Fprintln(e.stderr, e.loc.T("cli.flags")) }

// useConfigLanguage words the output in the configuration's language. The
// file is read quietly: the commands that use it report its issues.
func (e *env) useConfigLanguage() {
	cfg, _, _ := config.Load(config.Path(e.configFlag))
	e.loc = i18n.New(i18n.Detect(cfg.Language))
}

// loadConfig loads the configuration and prints its issues to stderr: a typo
// never stops a command, the defaults apply.
func (e *env) loadConfig() (config.Config, error) {
	cfg, issues, err := config.Load(config.Path(e.configFlag))
	e.loc = i18n.New(i18n.Detect(cfg.Language))
	e.configIssues = issues
	for _, i := range issues {
		e.warn(i.String())
	}
	return cfg, err
}

func (e *env) warn(msg string) {
	fmt.Fprintln(e.stderr, e.loc.T("cli.warning", map[string]any{"Message": msg}))
}

// readLine reads one line of stdin as bytes (no string copy of a secret).
func (e *env) readLine() ([]byte, error) {
	line, err := e.stdin.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, &cliError{id: "cli.no-stdin"}
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// cliError is an error of the command line itself, worded from the catalog.
// Err, when set, is the cause, shown as {{.Error}}.
type cliError struct {
	id   string
	data map[string]any
	err  error
}

func (e *cliError) Error() string { return e.Localize(nil) }

func (e *cliError) Unwrap() error { return e.err }

// Localize words the error in the language of l (i18n.Localized).
func (e *cliError) Localize(l *i18n.Localizer) string {
	if e.err == nil {
		return l.T(e.id, e.data)
	}
	return l.T(e.id, e.data, map[string]any{"Error": app.ErrorMessage(l, e.err)})
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorJSON is the shape of every JSON error.
type errorJSON struct {
	Kind    string `json:"kind"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// kindOf returns the error's kind for JSON output, else fallback.
func kindOf(err error, fallback string) string {
	if k := errkind.Of(err); k != "" {
		return k
	}
	return fallback
}

func runVersion(e *env, args []string) int {
	fs := newFlags(e, "version", "version")
	if _, err := parse(fs, args); err != nil {
		return usageExit(err)
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
func expand(p string) string { return config.ExpandHome(strings.TrimSpace(p)) }

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
