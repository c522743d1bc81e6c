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
	"runtime/debug"
	"strings"

	"ehealth-tray/config"
	"ehealth-tray/logging"
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
	stdout, stderr io.Writer
	configFlag     string
	logLevel       string
	logFormat      string
}

type command struct {
	name, summary string
	run           func(e *env, args []string) int
}

func commands() []command {
	return []command{
		{"certs", "list the eHealth keystores found in the keystore folder", runCerts},
		{"cert", "cert inspect FILE: show what an eHealth keystore holds", runCert},
		{"check", "run the checks before connecting to eHealth", runCheck},
		{"session", "session start: open an eHealth session from the command line", runSession},
		{"demo", "run the tray against a built-in STS simulator and a demo certificate", runDemo},
		{"autostart", "autostart enable|disable|status: start ehealth-tray at login, or not", runAutostart},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: bufio.NewReader(stdin), stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("ehealth-tray", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&e.configFlag, "config", "", "configuration `FILE` (default: $EHEALTH_TRAY_CONFIG, else "+config.Path("")+")")
	fs.StringVar(&e.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	fs.StringVar(&e.logFormat, "log-format", "text", "log `FORMAT`: text or json")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ehealth-tray [--config FILE] [--log-level LEVEL] [--log-format text|json] [command] [flags]\n\nWithout a command, runs the tray.\n\nCommands:\n")
		for _, c := range commands() {
			fmt.Fprintf(stderr, "  %-9s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(stderr, "\nGlobal flags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nRun 'ehealth-tray COMMAND --help' for a command's flags.\n")
	}
	// Global flags stop at the first command name.
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
	fmt.Fprintf(stderr, "ehealth-tray: unknown command %q\n", rest[0])
	fs.Usage()
	return exitUsage
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
	fs.StringVar(&e.configFlag, "config", e.configFlag, "configuration `FILE`")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ehealth-tray %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// loadConfig loads the configuration and prints its issues to stderr: a typo
// never stops a command, the defaults apply.
func (e *env) loadConfig() (config.Config, error) {
	cfg, issues, err := config.Load(config.Path(e.configFlag))
	for _, i := range issues {
		fmt.Fprintf(e.stderr, "warning: %s\n", i)
	}
	return cfg, err
}

// readLine reads one line of stdin as bytes (no string copy of a secret).
func (e *env) readLine() ([]byte, error) {
	line, err := e.stdin.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, errors.New("nothing on standard input (expected the password on the first line)")
	}
	return bytes.TrimRight(line, "\r\n"), nil
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

// kindOf returns the error's kind for JSON output: the Kind() of the first
// typed error in the chain, else fallback.
func kindOf(err error, fallback string) string {
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return k.Kind()
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
