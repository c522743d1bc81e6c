package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"ehealth-tray/statefile"
)

// StateDir is where ehealth-tray keeps its state (certificate record,
// reminder ledger, cached assertion, log, single-instance lock):
// $XDG_STATE_HOME/ehealth-tray on Linux, the user config dir elsewhere.
// EHEALTH_TRAY_STATE_DIR overrides it. Without a home folder it is a
// per-user folder in the temp folder, which another user may have made
// first: PrepareStateDir refuses it then.
func StateDir() string {
	if d := os.Getenv("EHEALTH_TRAY_STATE_DIR"); d != "" {
		return d
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		if d, err := os.UserConfigDir(); err == nil {
			return filepath.Join(d, "ehealth-tray", "state")
		}
	default:
		if d := os.Getenv("XDG_STATE_HOME"); d != "" {
			return filepath.Join(d, "ehealth-tray")
		}
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "ehealth-tray")
		}
	}
	return filepath.Join(os.TempDir(), tempStateName())
}

// RuntimeDir is where the single-instance lock goes when PrepareStateDir
// refused the state folder, so that the tray still runs once, from memory:
// $XDG_RUNTIME_DIR/ehealth-tray on Linux (the user's own, by the login
// manager), else the per-user fallback in the temp folder. instance.Acquire
// checks it as PrepareStateDir does.
func RuntimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		return filepath.Join(d, "ehealth-tray")
	}
	return filepath.Join(os.TempDir(), tempStateName())
}

// tempStateName names the temp-folder fallback after the user, so that
// users do not share it. Windows has no uid, and its temp folder is the
// user's own.
func tempStateName() string {
	if uid := os.Getuid(); uid >= 0 {
		return "ehealth-tray-state-" + strconv.Itoa(uid)
	}
	return "ehealth-tray-state"
}

// PrepareStateDir returns StateDir once statefile.PrepareDir made it ready
// (created, the user's own, 0700). On an error (a *statefile.DirError, kind
// "state-folder-refused") the app says so once and keeps its state in
// memory: nothing is written there.
func PrepareStateDir() (string, error) {
	dir := StateDir()
	return dir, statefile.PrepareDir(dir)
}
