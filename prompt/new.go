package prompt

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// New returns the Prompter for the configured program ([prompt] program), or
// the system's default dialogs when program is empty.
func New(program string) (Prompter, error) {
	if program == "" {
		return systemDefault()
	}
	path, err := exec.LookPath(program)
	if err != nil {
		return nil, err
	}
	return forProgram(path), nil
}

// forProgram picks the protocol by the program's name: zenity and kdialog
// have their own command lines, everything else is taken for a pinentry.
func forProgram(path string) Prompter {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasPrefix(base, "zenity"):
		return Dialog{Program: path, Style: Zenity}
	case strings.HasPrefix(base, "kdialog"):
		return Dialog{Program: path, Style: KDialog}
	}
	return Pinentry{Program: path}
}

// lookFirst returns the first program found on PATH.
func lookFirst(names ...string) (string, bool) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, true
		}
	}
	return "", false
}
