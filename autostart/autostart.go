// Package autostart makes ehealth-tray start with the user's session, the
// way each desktop expects it:
//
//   - Linux and other XDG desktops: $XDG_CONFIG_HOME/autostart/ehealth-tray.desktop
//     (XDG Autostart spec). A user file overrides a same-named file in
//     $XDG_CONFIG_DIRS/autostart, such as the one the .deb ships disabled.
//   - macOS: ~/Library/LaunchAgents/be.ehealth-tray.plist. launchd reads it at
//     the next login; nothing is loaded now, so enabling never starts a second
//     copy and disabling never kills the running one.
//   - Windows: the "ehealth-tray" value of HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
//
// Status reads what is on disk (or in the registry) every time: there is no
// cached setting that could disagree with it.
package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Entry is what to start: the absolute path of the executable and its
// arguments.
type Entry struct {
	Exec string
	Args []string
}

// State is the autostart entry as found on disk.
type State struct {
	Enabled bool
	// Path is the file (or registry key) that decides; when there is none, the
	// one Enable would write.
	Path string
	// Exec is the program the entry starts, as written there.
	Exec string
	// Stale means an enabled entry starts a program that no longer exists or
	// is not this executable (the app moved or was reinstalled elsewhere).
	Stale bool
}

// Error is the error of Enable, Disable and Status: what was done to which
// file (or registry key), and why it failed.
type Error struct {
	Op   string // "enable", "disable", "status" or "self"
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "autostart " + e.Op + ": " + e.Err.Error()
	}
	return "autostart " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Kind is the CLI error kind.
func (e *Error) Kind() string { return "autostart" }

// Self is the Entry that starts this executable with args. The path is
// os.Executable with symlinks resolved, as Linux reports it anyway, so every
// system records the real file and Status compares like with like.
func Self(args ...string) (Entry, error) {
	exe, err := executable()
	if err != nil {
		return Entry{}, &Error{Op: "self", Err: err}
	}
	return Entry{Exec: exe, Args: args}, nil
}

// Enable makes the entry start at the next login. Enabling twice writes the
// same thing once.
func Enable(e Entry) error {
	if !filepath.IsAbs(e.Exec) {
		return &Error{Op: "enable", Err: errNotAbsolute{e.Exec}}
	}
	return enable(e)
}

// Disable stops ehealth-tray from starting at login. It is not an error when
// it is already disabled.
func Disable() error { return disable() }

// Status reports the entry found on disk.
func Status() (State, error) {
	st, err := status()
	if err != nil {
		return State{}, err
	}
	st.Stale = st.Enabled && !isSelf(st.Exec)
	return st, nil
}

type errNotAbsolute struct{ path string }

func (e errNotAbsolute) Error() string { return "not an absolute path: " + e.path }

// executable is os.Executable with symlinks resolved; on Windows, the GUI
// .exe beside the console .com (guiProgram).
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(guiProgram(exe))
}

// isSelf reports whether program (an absolute path, or a name looked up in
// PATH the way a session starter would) is this executable.
func isSelf(program string) bool {
	if program == "" {
		return false
	}
	if !filepath.IsAbs(program) {
		p, err := exec.LookPath(program)
		if err != nil {
			return false
		}
		program = p
	}
	exe, err := executable()
	if err != nil {
		return false
	}
	a, err := os.Stat(program)
	if err != nil {
		return false
	}
	b, err := os.Stat(exe)
	return err == nil && os.SameFile(a, b)
}
