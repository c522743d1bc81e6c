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

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

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
	if trayStart(args) || redirected(os.Stdout) {
		return true, 0
	}
	con := consoleOut()
	if con == nil {
		return true, 0 // no console: Explorer, autostart or the installer
	}
	defer con.Close()
	useCompanion(con, i18n.New(i18n.Detect("")), args)
	return false, exitWrongProgram
}

// consoleOut opens the console a command was typed at, read-write so that Go
// sees a console and writes UTF-16 (right on every code page); nil when there
// is none. Wine gives a GUI program its console; Windows lets it attach to its
// parent's.
func consoleOut() *os.File {
	if !isConsole(windows.Handle(os.Stdout.Fd())) {
		if ok, _, _ := procAttachConsole.Call(attachParentProcess); ok == 0 {
			return nil
		}
	}
	con, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
	if err != nil {
		return nil
	}
	return con
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

// redirected reports whether f is a file or a pipe the caller redirected the
// output to: a GUI program started at a console has no handle, or (Wine) the
// console's.
func redirected(f *os.File) bool {
	if _, err := f.Stat(); err != nil {
		return false
	}
	return !isConsole(windows.Handle(f.Fd()))
}

// globalValueFlags are cli's flags before the command that take a value; a
// command line of only these starts the tray.
var globalValueFlags = map[string]bool{"config": true, "log-level": true, "log-format": true}

// trayStart reports whether args start the tray (the Start menu entry, the
// Run value) rather than a command: only global flags with their values.
func trayStart(args []string) bool {
	for i := 0; i < len(args); i++ {
		name, isFlag := strings.CutPrefix(args[i], "--")
		if !isFlag {
			name, isFlag = strings.CutPrefix(args[i], "-")
		}
		if !isFlag || name == "" {
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
