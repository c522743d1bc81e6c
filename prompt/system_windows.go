package prompt

import (
	"context"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/sys/windows"
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
	errorCancelled   = 1223
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
	if ret == errorCancelled {
		return nil, ErrCancelled
	}
	if ret != 0 {
		return nil, fmt.Errorf("credential dialog failed: %w", windows.Errno(ret))
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
		return nil, fmt.Errorf("read credential dialog answer: %w", err)
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
		return false, fmt.Errorf("message box: %w", err)
	}
	return ret == idYes, nil
}
