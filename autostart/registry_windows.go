package autostart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

const (
	runKey = `Software\Microsoft\Windows\CurrentVersion\Run`
	// approvedKey is where Task Manager's Startup tab records an entry the
	// user disabled; the Run value stays.
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
	valueName   = "ehealth-tray"
	runPath     = `HKCU\` + runKey + `\` + valueName
)

// guiProgram is the program to start at login for exe: the GUI
// ehealth-tray.exe beside the console ehealth-tray.com, when exe is the .com
// (run from a terminal), so that no console window opens at login.
func guiProgram(exe string) string {
	ext := filepath.Ext(exe)
	if !strings.EqualFold(ext, ".com") {
		return exe
	}
	gui := strings.TrimSuffix(exe, ext) + ".exe"
	if fi, err := os.Lstat(gui); err != nil || !fi.Mode().IsRegular() {
		return exe
	}
	return gui
}

// commandLine is the Run value: the executable always quoted (an unquoted
// path with spaces could run another program), then the arguments.
func commandLine(e Entry) string {
	var b strings.Builder
	b.WriteString(`"` + e.Exec + `"`)
	for _, a := range e.Args {
		b.WriteString(" " + windows.EscapeArg(a))
	}
	return b.String()
}

func enable(e Entry) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return &Error{Op: "enable", Path: runPath, Err: err}
	}
	defer k.Close()
	if err := k.SetStringValue(valueName, commandLine(e)); err != nil {
		return &Error{Op: "enable", Path: runPath, Err: err}
	}
	// Enabling from the app overrides a "Disabled" set in Task Manager.
	return forgetApproval("enable")
}

func disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err == nil {
		err = k.DeleteValue(valueName)
		k.Close()
	}
	if err != nil && !errors.Is(err, registry.ErrNotExist) {
		return &Error{Op: "disable", Path: runPath, Err: err}
	}
	return forgetApproval("disable")
}

// forgetApproval deletes Task Manager's record of the entry, so that what the
// Run value says is what happens.
func forgetApproval(op string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.SET_VALUE)
	if err == nil {
		err = k.DeleteValue(valueName)
		k.Close()
	}
	if err != nil && !errors.Is(err, registry.ErrNotExist) {
		return &Error{Op: op, Path: `HKCU\` + approvedKey + `\` + valueName, Err: err}
	}
	return nil
}

func status() (State, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return State{Path: runPath}, nil
	}
	if err != nil {
		return State{}, &Error{Op: "status", Path: runPath, Err: err}
	}
	defer k.Close()
	cmd, _, err := k.GetStringValue(valueName)
	if errors.Is(err, registry.ErrNotExist) {
		return State{Path: runPath}, nil
	}
	if err != nil {
		return State{}, &Error{Op: "status", Path: runPath, Err: err}
	}
	st := State{Path: runPath}
	if argv, err := windows.DecomposeCommandLine(cmd); err == nil && len(argv) > 0 {
		st.Exec = argv[0]
	}
	st.Enabled = st.Exec != "" && !disabledInTaskManager()
	return st, nil
}

// disabledInTaskManager reads the StartupApproved record: its first byte is
// even when enabled (2), odd when the user disabled the entry (3).
func disabledInTaskManager() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue(valueName)
	return err == nil && len(b) > 0 && b[0]&1 == 1
}
