package app

// What the menu says about the practitioner's published encryption key (ETK).

import (
	"ehealth-tray/i18n"
	"ehealth-tray/tray"
)

// The outcomes of an ETK check, as the etk package names them.
const (
	etkOK           = "ok"
	etkNotActivated = "not-activated"
	etkMismatch     = "mismatch"
	etkNotFound     = "not-found"
)

// etkView is the last ETK check's outcome; Status "" when none was made.
type etkView struct {
	Status string
}

// etkNote is the menu note about the ETK: nothing when all is well.
func etkNote(l *i18n.Localizer, e etkView) string {
	switch e.Status {
	case etkNotActivated:
		return l.T("etk-tray.not-activated-line")
	case etkMismatch:
		return l.T("etk-tray.mismatch-line")
	case etkNotFound:
		return l.T("etk-tray.not-found-line")
	}
	return ""
}

// etkItem opens the renewal guide while the renewed ETK waits for its
// activation.
func etkItem(l *i18n.Localizer, e etkView) tray.Item {
	if e.Status != etkNotActivated {
		return tray.Item{}
	}
	return tray.Item{Visible: true, Enabled: true, Label: l.T("menu.etk-guide")}
}
