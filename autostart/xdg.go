//go:build !darwin && !windows

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

const desktopName = "ehealth-tray.desktop"

// userFile is $XDG_CONFIG_HOME/autostart/ehealth-tray.desktop. A relative
// XDG_CONFIG_HOME is ignored, as the XDG Base Directory spec says.
func userFile() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", desktopName), nil
}

// systemFile returns the first $XDG_CONFIG_DIRS/autostart/ehealth-tray.desktop
// (default /etc/xdg), the one the session reads when the user has none.
// It returns no data when there is none.
func systemFile() (string, []byte, error) {
	dirs := os.Getenv("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	for _, d := range filepath.SplitList(dirs) {
		if !filepath.IsAbs(d) {
			continue
		}
		p := filepath.Join(d, "autostart", desktopName)
		data, err := os.ReadFile(p)
		if err == nil {
			return p, data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return p, nil, err
		}
	}
	return "", nil, nil
}

func enable(e Entry) error {
	path, err := userFile()
	if err != nil {
		return &Error{Op: "enable", Err: err}
	}
	old, _ := os.ReadFile(path)
	return writeFile("enable", path, old, desktopFile(e))
}

// disable removes the user file when it is ours. A file that starts
// something else is the user's own: it is kept and only hidden. A hidden
// file also stays, and is written when missing, when removing it would let a
// system file start ehealth-tray.
func disable() error {
	path, err := userFile()
	if err != nil {
		return &Error{Op: "disable", Err: err}
	}
	sysPath, sys, err := systemFile()
	if err != nil {
		return &Error{Op: "disable", Path: sysPath, Err: err}
	}
	sysOn := sys != nil && readDesktop(sys).enabled
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !sysOn {
			return nil
		}
		return writeFile("disable", path, nil, setHidden(sys))
	case err != nil:
		return &Error{Op: "disable", Path: path, Err: err}
	case isOurs(readDesktop(data).program) && !sysOn:
		return removeFile("disable", path)
	default:
		return writeFile("disable", path, data, setHidden(data))
	}
}

// isOurs reports whether program is ehealth-tray: by name, or this very
// executable whatever its name.
func isOurs(program string) bool {
	return filepath.Base(program) == "ehealth-tray" || isSelf(program)
}

func status() (State, error) {
	user, err := userFile()
	if err != nil {
		return State{}, &Error{Op: "status", Err: err}
	}
	path := user
	data, err := os.ReadFile(user)
	if errors.Is(err, fs.ErrNotExist) {
		var sys string
		if sys, data, err = systemFile(); sys != "" {
			path = sys
		}
	}
	if err != nil {
		return State{}, &Error{Op: "status", Path: path, Err: err}
	}
	if data == nil {
		return State{Path: user}, nil
	}
	d := readDesktop(data)
	return State{Enabled: d.enabled, Path: path, Exec: d.program}, nil
}
