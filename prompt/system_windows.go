package prompt

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/sys/windows"

	"ehealth-tray/i18n"
)

// systemDefault on Windows uses the system credential dialog
// (CredUIPromptForWindowsCredentialsW) and a message box for questions.
func systemDefault() (Prompter, error) { return credUI{}, nil }

var (
	credui          = windows.NewLazySystemDLL("credui.dll")
	procCredPrompt  = credui.NewProc("CredUIPromptForWindowsCredentialsW")
	procCredUnpack  = credui.NewProc("CredUnPackAuthenticationBufferW")
	user32          = windows.NewLazySystemDLL("user32.dll")
	procMessageBoxW = user32.NewProc("MessageBoxW")
)

const (
	creduiwinGeneric = 0x1
	mbYesNo          = 0x4
	mbIconWarning    = 0x30
	idYes            = 6
)

type credUIInfo struct {
	size    uint32
	parent  uintptr
	message *uint16
	caption *uint16
	banner  uintptr
}

type credUI struct{}

func (credUI) Secret(_ context.Context, r Request) ([]byte, error) {
	msg, _ := windows.UTF16PtrFromString(r.Description)
	cap, _ := windows.UTF16PtrFromString(r.Title)
	info := credUIInfo{message: msg, caption: cap}
	info.size = uint32(unsafe.Sizeof(info))
	var pkg uint32
	var out unsafe.Pointer
	var outSize uint32
	ret, _, _ := procCredPrompt.Call(uintptr(unsafe.Pointer(&info)), 0, uintptr(unsafe.Pointer(&pkg)),
		0, 0, uintptr(unsafe.Pointer(&out)), uintptr(unsafe.Pointer(&outSize)), 0, creduiwinGeneric)
	if err := credUIResult("credential dialog", ret); err != nil {
		return nil, err
	}
	defer func() {
		// The buffer holds the password: wipe it before giving it back.
		Zero(unsafe.Slice((*byte)(out), outSize))
		windows.CoTaskMemFree(out)
	}()
	var user, domain [256]uint16
	pass := make([]uint16, 512)
	userLen, domainLen, passLen := uint32(len(user)), uint32(len(domain)), uint32(len(pass))
	ok, _, err := procCredUnpack.Call(0, uintptr(out), uintptr(outSize),
		uintptr(unsafe.Pointer(&user[0])), uintptr(unsafe.Pointer(&userLen)),
		uintptr(unsafe.Pointer(&domain[0])), uintptr(unsafe.Pointer(&domainLen)),
		uintptr(unsafe.Pointer(&pass[0])), uintptr(unsafe.Pointer(&passLen)))
	if ok == 0 {
		return nil, dialogError("read credential dialog answer", err)
	}
	n := int(passLen)
	if n > 0 && pass[n-1] == 0 {
		n--
	}
	// Encode rune by rune: a Go string would leave an unerasable copy.
	var secret []byte
	runes := utf16.Decode(pass[:n])
	for i, r := range runes {
		secret = utf8.AppendRune(secret, r)
		runes[i] = 0
	}
	for i := range pass {
		pass[i] = 0
	}
	return secret, nil
}

func (credUI) Confirm(_ context.Context, r Request) (bool, error) {
	text, _ := windows.UTF16PtrFromString(r.Description)
	cap, _ := windows.UTF16PtrFromString(r.Title)
	ret, _, err := procMessageBoxW.Call(0, uintptr(unsafe.Pointer(text)), uintptr(unsafe.Pointer(cap)), mbYesNo|mbIconWarning)
	if ret == 0 {
		return false, dialogError("message box", err)
	}
	return ret == idYes, nil
}

// DialogError is a failure of the Windows credential dialog or message box:
// kind "dialog-failed", worded in the practitioner's language (Windows' own
// text is in the system's language, often English).
type DialogError struct {
	Op  string // what failed, for the log
	Err windows.Errno
}

func (e *DialogError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *DialogError) Unwrap() error { return e.Err }

// Kind is the CLI error kind.
func (e *DialogError) Kind() string { return "dialog-failed" }

// Localize words the error: the code stays, for support.
func (e *DialogError) Localize(l *i18n.Localizer) string {
	id := "windows.dialog-failed"
	if e.Err == windows.ERROR_NO_SUCH_LOGON_SESSION || e.Err == windows.ERROR_NOT_LOGGED_ON {
		id = "windows.dialog-no-session"
	}
	return l.T(id, map[string]any{"Code": fmt.Sprintf("0x%08X", uint32(e.Err))})
}

// credUIResult turns CredUIPromptForWindowsCredentialsW's return code into
// an error: nil, ErrCanceled or a *DialogError.
func credUIResult(op string, ret uintptr) error {
	switch windows.Errno(ret) {
	case 0:
		return nil
	case windows.ERROR_CANCELLED:
		return ErrCanceled
	}
	return &DialogError{Op: op, Err: windows.Errno(ret)}
}

// dialogError is the *DialogError of a failed call's last error (a call can
// fail without setting one).
func dialogError(op string, err error) error {
	var errno windows.Errno
	if !errors.As(err, &errno) || errno == 0 {
		errno = windows.ERROR_GEN_FAILURE
	}
	return &DialogError{Op: op, Err: errno}
}
