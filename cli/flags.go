package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"ehealth-tray/i18n"
)

// flagSet is a command's flags, with what its --help says: the synopsis, one
// sentence (a catalog message), the flags written with "--", and an example.
// Its flag package output is discarded: parse words every usage error itself.
type flagSet struct {
	*flag.FlagSet
	e        *env
	name     string // "certs", "cert inspect"; "" for the global flags
	synopsis string
	about    string // catalog message: what the command does
	example  string
	// args is the number of positional arguments taken; missing is the
	// catalog message when fewer are given.
	args    int
	missing string
	// more prints what comes before the flags: the commands, the actions.
	more func(w io.Writer)
}

// helps are the --help sentence and example of each command.
var helps = map[string]struct{ about, example string }{
	"":             {"cli.usage-tray", "ehealth-tray --log-level debug"},
	"certs":        {"cli.help-certs", "ehealth-tray certs --json"},
	"cert":         {"cli.help-cert", "ehealth-tray cert inspect 'SSIN=79021802145 20261128-101500.p12'"},
	"cert inspect": {"cli.help-cert-inspect", "ehealth-tray cert inspect 'SSIN=79021802145 20261128-101500.p12' --json"},
	"check":        {"cli.help-check", "ehealth-tray check"},
	"session":      {"cli.help-session", "ehealth-tray session start --method eid"},
	"session start": {"cli.help-session-start",
		"ehealth-tray session start --method fallback --password-stdin --json < password.txt"},
	"setup":     {"cli.help-setup", "ehealth-tray setup --quality physiotherapist --inami 5/38861/71/521"},
	"demo":      {"cli.help-demo", "ehealth-tray demo --keep"},
	"autostart": {"cli.help-autostart", "ehealth-tray autostart enable"},
	"version":   {"cli.help-version", "ehealth-tray version"},
}

// newFlags makes a command's flag set with the shared --config flag, so that
// it works after the command too. synopsis is the usage line without
// "ehealth-tray ".
func newFlags(e *env, name, synopsis string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), e: e, name: name, synopsis: synopsis}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.about, fs.example = helps[name].about, helps[name].example
	fs.StringVar(&e.configFlag, "config", e.configFlag, e.loc.T("cli.flag-config"))
	return fs
}

// printHelp writes the command's --help to stderr (stdout stays JSON).
func (fs *flagSet) printHelp() {
	w, l := fs.e.stderr, fs.e.loc
	fmt.Fprintf(w, "%s\n\n", l.T("cli.usage", map[string]any{"Synopsis": fs.synopsis}))
	if fs.about != "" {
		fmt.Fprintf(w, "%s\n\n", l.T(fs.about))
	}
	if fs.more != nil {
		fs.more(w)
	}
	heading := l.T("cli.flags")
	if fs.name == "" {
		heading = l.T("cli.global-flags")
	}
	fmt.Fprintln(w, heading)
	printFlags(w, fs.FlagSet)
	if fs.example != "" {
		fmt.Fprintf(w, "\n%s\n  %s\n", l.T("cli.example"), fs.example)
	}
}

// printFlags lists the flags as they are typed, "--name VALUE", each with
// its description on the next line.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		if value != "" {
			value = " " + value
		}
		fmt.Fprintf(w, "  --%s%s\n      %s\n", f.Name, value, strings.ReplaceAll(usage, "\n", "\n      "))
	})
}

// usageError is a command line the program cannot run: an unknown flag, a
// bad value, a missing or extra argument. It is reported, in the reader's
// language, as text with the command's help, or with --json as
// {"error": {"kind": "usage", "message"}}, and exits 2. help marks --help,
// which is no error: the help is printed and the exit is 0.
type usageError struct {
	fs   *flagSet
	id   string
	data map[string]any
	// reason is the flag value's own (Localized) complaint, when it has one.
	reason i18n.Localized
	help   bool
}

func (u *usageError) Error() string { return u.Localize(nil) }

// Kind is the CLI kind.
func (u *usageError) Kind() string { return "usage" }

// Localize words the error in l's language (i18n.Localized).
func (u *usageError) Localize(l *i18n.Localizer) string {
	if u.reason != nil {
		return u.reason.Localize(l)
	}
	return l.T(u.id, u.data)
}

// fail reports a usage error of the command and returns exit code 2.
func (fs *flagSet) fail(id string, data map[string]any) int {
	return usageExit(&usageError{fs: fs, id: id, data: data})
}

// usageExit reports err from parse (or fail) and returns the exit code: 0
// after --help, else 2.
func usageExit(err error) int {
	var u *usageError
	if !errors.As(err, &u) || u.fs == nil {
		return exitUsage
	}
	e := u.fs.e
	if u.help {
		u.fs.printHelp()
		return exitOK
	}
	msg := u.Localize(e.loc)
	if e.json {
		writeJSON(e.stdout, map[string]errorJSON{"error": {Kind: u.Kind(), Message: msg}})
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "ehealth-tray: %s\n\n", msg)
	u.fs.printHelp()
	return exitUsage
}

// parse parses flags that may come before or after positional arguments and
// returns the positional ones, exactly fs.args of them. Its errors are
// *usageError, for usageExit.
func parse(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &usageError{fs: fs, help: true}
			}
			return nil, fs.diagnose(args)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	switch {
	case len(pos) > fs.args:
		return nil, &usageError{fs: fs, id: "cli.extra-argument", data: map[string]any{"Arg": pos[fs.args]}}
	case len(pos) < fs.args:
		return nil, &usageError{fs: fs, id: fs.missing}
	}
	return pos, nil
}

// diagnose finds which flag the flag package refused, by going through the
// arguments as it does, and says why in the reader's words.
func (fs *flagSet) diagnose(args []string) *usageError {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		bad := func(id string, reason error) *usageError {
			u := &usageError{fs: fs, id: id, data: map[string]any{"Flag": "--" + name, "Value": value}}
			errors.As(reason, &u.reason)
			return u
		}
		f := fs.Lookup(name)
		if f == nil {
			return bad("cli.unknown-flag", nil)
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if hasValue {
				if err := f.Value.Set(value); err != nil {
					return bad("cli.bad-flag-value", err)
				}
			}
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return bad("cli.flag-needs-value", nil)
			}
			i++
			value = args[i]
		}
		if err := f.Value.Set(value); err != nil {
			return bad("cli.bad-flag-value", err)
		}
	}
	return &usageError{fs: fs, id: "cli.bad-flags"}
}

// wantsJSON tells whether --json is among the arguments, so that even a
// command line that does not parse answers in JSON.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "-json", "--json=true", "-json=true":
			return true
		}
	}
	return false
}

// choiceFlag is a string flag that takes one of a few values.
type choiceFlag struct {
	p       *string
	choices []string
	id      string // catalog message for another value, with {{.Value}}
}

func (c choiceFlag) String() string {
	if c.p == nil {
		return ""
	}
	return *c.p
}

func (c choiceFlag) Set(s string) error {
	for _, v := range c.choices {
		if strings.EqualFold(s, v) {
			*c.p = v
			return nil
		}
	}
	return &usageError{id: c.id, data: map[string]any{"Value": s}}
}

// durationFlag is a duration flag that refuses a negative duration.
type durationFlag struct {
	p    *time.Duration
	name string
}

// nonNegativeDuration defines a duration flag that refuses negative values.
func nonNegativeDuration(fs *flagSet, name string, value time.Duration, usage string) *time.Duration {
	p := new(time.Duration)
	*p = value
	fs.Var(durationFlag{p, name}, name, usage)
	return p
}

func (d durationFlag) String() string {
	if d.p == nil {
		return ""
	}
	return d.p.String()
}

func (d durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return &usageError{id: "cli.bad-duration", data: map[string]any{"Flag": "--" + d.name, "Value": s}}
	case v < 0:
		return &usageError{id: "cli.negative-duration", data: map[string]any{"Flag": "--" + d.name, "Value": s}}
	}
	*d.p = v
	return nil
}

// configEnvRef is how the help names the EHEALTH_TRAY_CONFIG variable: the
// way the shell of that system writes it.
func configEnvRef(goos string) string {
	if goos == "windows" {
		return "%EHEALTH_TRAY_CONFIG%"
	}
	return "$EHEALTH_TRAY_CONFIG"
}
