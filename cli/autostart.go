package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"ehealth-tray/autostart"
)

type autostartJSON struct {
	Enabled bool   `json:"enabled"`
	Path    string `json:"path"`
	Exec    string `json:"exec"`
	Stale   bool   `json:"stale"`
}

const autostartUsage = "autostart enable|disable|status [--json]"

// runAutostart turns "start with my session" on or off, and prints the state
// found on disk afterwards, whatever the action.
func runAutostart(e *env, args []string) int {
	fs := newFlags(e, "autostart", autostartUsage)
	asJSON := fs.Bool("json", false, e.loc.T("cli.flag-json"))
	fs.args, fs.missing = 1, "cli.missing-action"
	fs.more = func(w io.Writer) {
		fmt.Fprintf(w, "  enable   %s\n", e.loc.T("cli.autostart-enable"))
		fmt.Fprintf(w, "  disable  %s\n", e.loc.T("cli.autostart-disable"))
		fmt.Fprintf(w, "  status   %s\n\n", e.loc.T("cli.autostart-status"))
	}
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	switch pos[0] {
	case "enable":
		err = e.enableAutostart()
	case "disable":
		err = autostart.Disable()
	case "status":
	default:
		return fs.fail("cli.unknown-action", map[string]any{"Action": pos[0]})
	}
	if err != nil {
		return e.failKind(*asJSON, err, "autostart")
	}
	st, err := autostart.Status()
	if err != nil {
		return e.failKind(*asJSON, err, "autostart")
	}
	if *asJSON {
		writeJSON(e.stdout, autostartJSON{st.Enabled, st.Path, st.Exec, st.Stale})
		return exitOK
	}
	if !st.Enabled {
		fmt.Fprintln(e.stdout, e.loc.T("cli.autostart-disabled"))
		return exitOK
	}
	fmt.Fprintln(e.stdout, e.loc.T("cli.autostart-enabled", map[string]any{"Path": st.Path}))
	if st.Stale {
		e.warn(e.loc.T("cli.autostart-stale", map[string]any{"Exec": st.Exec}))
	}
	return exitOK
}

// enableAutostart starts this executable at login, with the --config given
// here so that the session's tray uses the same configuration.
func (e *env) enableAutostart() error {
	var args []string
	if e.configFlag != "" {
		cfg, err := filepath.Abs(expand(e.configFlag))
		if err != nil {
			return err
		}
		args = []string{"--config", cfg}
	}
	entry, err := autostart.Self(args...)
	if err != nil {
		return err
	}
	return autostart.Enable(entry)
}
