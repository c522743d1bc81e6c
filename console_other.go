//go:build !windows

package main

// prepareConsole is only needed for the Windows build: see console_windows.go.
func prepareConsole([]string) (ok bool, code int) { return true, 0 }
