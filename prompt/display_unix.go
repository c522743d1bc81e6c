//go:build !windows && !darwin

package prompt

import "os"

// HasDisplay tells whether a graphical dialog can be shown: an X11 or
// Wayland display is named in the environment.
func HasDisplay() bool { return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" }
