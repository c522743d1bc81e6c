//go:build windows || darwin

package prompt

// HasDisplay tells whether a graphical dialog can be shown: always, on
// Windows and macOS, where the system dialogs need no named display.
func HasDisplay() bool { return true }
