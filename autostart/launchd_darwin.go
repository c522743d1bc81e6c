package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// agentFile is ~/Library/LaunchAgents/be.ehealth-tray.plist. launchd loads
// it at the next login: Enable and Disable call no launchctl, so they never
// start a second copy nor stop the running one.
func agentFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", launchdLabel+".plist"), nil
}

func enable(e Entry) error {
	path, err := agentFile()
	if err != nil {
		return &Error{Op: "enable", Err: err}
	}
	old, _ := os.ReadFile(path)
	return writeFile("enable", path, old, launchAgent(e))
}

func disable() error {
	path, err := agentFile()
	if err != nil {
		return &Error{Op: "disable", Err: err}
	}
	return removeFile("disable", path)
}

func status() (State, error) {
	path, err := agentFile()
	if err != nil {
		return State{}, &Error{Op: "status", Err: err}
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{Path: path}, nil
	}
	if err != nil {
		return State{}, &Error{Op: "status", Path: path, Err: err}
	}
	agent, err := parsePlist(data)
	if err != nil {
		// launchd skips a plist it cannot read: nothing starts.
		return State{Path: path}, nil
	}
	program, enabled := launchdState(agent)
	return State{Enabled: enabled, Path: path, Exec: program}, nil
}
