package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole lets the command line's output reach the terminal it was
// started from: the Windows build is a GUI program (-H windowsgui), which
// gets no console of its own. Redirected output (a file, a pipe) is kept.
func attachConsole() {
	if _, err := os.Stdout.Stat(); err == nil {
		return
	}
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if ok, _, _ := attach.Call(attachParentProcess); ok == 0 {
		return // started from Explorer or autostart: no terminal to write to
	}
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = out, out
	}
	if in, err := os.Open("CONIN$"); err == nil {
		os.Stdin = in
	}
}
