package prompt

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
)

// TestWinCredUIResult: a dialog failure has a kind and words itself in the
// practitioner's language, with the code for support; cancel stays cancel.
func TestWinCredUIResult(t *testing.T) {
	if err := credUIResult("credential dialog", 0); err != nil {
		t.Fatalf("success: %v", err)
	}
	if err := credUIResult("credential dialog", uintptr(windows.ERROR_CANCELLED)); err != ErrCanceled {
		t.Fatalf("cancel: %v", err)
	}
	for _, tc := range []struct {
		code       windows.Errno
		lang, want string
	}{
		// What Wine answers: CredUIPromptForWindowsCredentialsW is not implemented.
		{windows.ERROR_CALL_NOT_IMPLEMENTED, "fr", "La fenêtre de mot de passe de Windows n'a pas pu s'afficher (erreur 0x00000078)"},
		{windows.ERROR_NO_SUCH_LOGON_SESSION, "nl", "aangemelde Windows-sessie nodig (fout 0x00000520)"},
		{windows.ERROR_NOT_LOGGED_ON, "de", "angemeldete Windows-Sitzung (Fehler 0x000004DD)"},
	} {
		err := credUIResult("credential dialog", uintptr(tc.code))
		if k := errkind.Of(err); k != "dialog-failed" {
			t.Errorf("%v: kind %q", tc.code, k)
		}
		var own i18n.Localized
		if !errors.As(err, &own) {
			t.Fatalf("%v: %T does not word itself", tc.code, err)
		}
		if got := own.Localize(i18n.New(tc.lang)); !strings.Contains(got, tc.want) {
			t.Errorf("%v in %s: %q", tc.code, tc.lang, got)
		}
		if !errors.Is(err, tc.code) {
			t.Errorf("%v: the Windows error is not in the chain", tc.code)
		}
	}
}

// TestWinDialogErrorWithoutLastError: a call that failed without setting the
// last error still gives a dialog-failed error with a code.
func TestWinDialogErrorWithoutLastError(t *testing.T) {
	for _, cause := range []error{windows.Errno(0), errors.New("odd")} {
		var de *DialogError
		if err := dialogError("message box", cause); !errors.As(err, &de) || de.Err != windows.ERROR_GEN_FAILURE || de.Kind() != "dialog-failed" {
			t.Errorf("%v: %#v", cause, err)
		}
	}
}
