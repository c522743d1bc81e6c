package config

import (
	"os"
	"path/filepath"
	"runtime"
)

// StateDir is where ehealth-tray keeps its state (certificate record,
// reminder ledger, cached assertion): $XDG_STATE_HOME/ehealth-tray on Linux,
// the user config dir elsewhere. EHEALTH_TRAY_STATE_DIR overrides it.
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
	return filepath.Join(os.TempDir(), "ehealth-tray-state")
}
