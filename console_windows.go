package main

import (
	"debug/pe"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/windows"

	"ehealth-tray/i18n"
)

// The Windows build is one program linked twice (scripts/build.sh):
//   - ehealth-tray.com, console subsystem, for the command line. PATHEXT lists
//     .COM before .EXE, so "ehealth-tray …" in cmd or PowerShell runs it: the
//     shell waits for it, it prompts with echo off, and Go writes its console
//     output as UTF-16, right on every code page.
//   - ehealth-tray.exe, GUI subsystem, for the tray, the Start menu and
//     autostart. A shell does not wait for a GUI program: its prompt comes
//     back at once and reads the keyboard too. So the .exe never reads a
//     console, and a command typed at one is answered with a pointer to the
//     .com instead of a prompt racing the shell's.

var (
	kernel32          = windows.NewLazySystemDLL("kernel32.dll")
	procAttachConsole = kernel32.NewProc("AttachConsole")
	procFreeConsole   = kernel32.NewProc("FreeConsole")
)

const attachParentProcess = ^uintptr(0) // (DWORD)-1

// exitWrongProgram is the exit code of a command given to the .exe at a
// console (a usage error, as cli's exit code 2).
const exitWrongProgram = 2

// prepareConsole readies the standard streams for cli.Main; it returns false,
// with the exit code, when the program must stop here.
func prepareConsole(args []string) (ok bool, code int) {
	if !guiSubsystem() {
		return true, 0
	}
	// Secrets are asked with CredUI (stdin is no terminal); a pipe or a file
	// given as stdin is still read.
	if isConsole(windows.Handle(os.Stdin.Fd())) {
		if null, err := os.Open(os.DevNull); err == nil {
			os.Stdin = null
		}
	}
	if trayStart(args) || hasOutput(os.Stdout) {
		return true, 0
	}
	// A command with no redirected output: said on the console it was typed
	// at, if any (none from Explorer, autostart or the installer).
	if ok, _, _ := procAttachConsole.Call(attachParentProcess); ok == 0 {
		return true, 0
	}
	defer procFreeConsole.Call()
	// Read-write, so that Go sees a console and writes UTF-16.
	con, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
	if err != nil {
		return false, exitWrongProgram
	}
	defer con.Close()
	useCompanion(con, i18n.New(i18n.Detect("")), args)
	return false, exitWrongProgram
}

// useCompanion says to run the command with the .com. It starts on a new
// line: the shell's prompt is already on the screen.
func useCompanion(w io.Writer, loc *i18n.Localizer, args []string) {
	fmt.Fprintf(w, "\n%s\n  ehealth-tray.com %s\n", loc.T("windows.use-com"), windows.ComposeCommandLine(args))
}

// guiSubsystem reports whether this executable is the GUI one (the .exe), from
// its own PE header: one source, two links, no flag to keep in step.
func guiSubsystem() bool {
	exe, err := os.Executable()
	if err != nil {
		return false
	}
	f, err := pe.Open(exe)
	if err != nil {
		return false
	}
	defer f.Close()
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		return h.Subsystem == pe.IMAGE_SUBSYSTEM_WINDOWS_GUI
	case *pe.OptionalHeader32:
		return h.Subsystem == pe.IMAGE_SUBSYSTEM_WINDOWS_GUI
	}
	return false
}

func isConsole(h windows.Handle) bool {
	var mode uint32
	return windows.GetConsoleMode(h, &mode) == nil
}

// hasOutput reports whether f is a usable handle (a file or pipe the caller
// redirected to): a GUI program started without redirection has none.
func hasOutput(f *os.File) bool {
	_, err := f.Stat()
	return err == nil
}

// globalValueFlags are cli's flags before the command that take a value; a
// command line of only these starts the tray.
var globalValueFlags = map[string]bool{"config": true, "log-level": true, "log-format": true}

// trayStart reports whether args start the tray (the Start menu entry, the
// Run value) rather than a command: only global flags with their values.
func trayStart(args []string) bool {
	for i := 0; i < len(args); i++ {
		name, hasValue := strings.CutPrefix(args[i], "--")
		if !hasValue {
			name, hasValue = strings.CutPrefix(args[i], "-")
		}
		if !hasValue || name == "" {
			return false // a command, or "-"
		}
		name, _, inline := strings.Cut(name, "=")
		if !globalValueFlags[name] {
			return false // --help, or a command's flag
		}
		if !inline {
			i++
		}
	}
	return true
}
