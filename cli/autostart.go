package cli

import (
	"fmt"
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
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ehealth-tray %s\n\n", autostartUsage)
		fmt.Fprintf(e.stderr, "  enable   start ehealth-tray (this executable) at login; with --config, with that configuration\n")
		fmt.Fprintf(e.stderr, "  disable  do not start it at login\n")
		fmt.Fprintf(e.stderr, "  status   tell whether it starts at login\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	switch pos[0] {
	case "enable":
		err = e.enableAutostart()
	case "disable":
		err = autostart.Disable()
	case "status":
	default:
		fmt.Fprintf(e.stderr, "ehealth-tray: unknown autostart action %q\n", pos[0])
		fs.Usage()
		return exitUsage
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
		fmt.Fprintln(e.stdout, "disabled")
		return exitOK
	}
	fmt.Fprintf(e.stdout, "enabled (%s)\n", st.Path)
	if st.Stale {
		fmt.Fprintf(e.stderr, "warning: it starts %s, which is missing or not this program; run 'ehealth-tray autostart enable' to start this one\n", st.Exec)
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
