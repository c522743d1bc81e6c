package app

// The presenter: what the icon, tooltip and menu show, computed by pure
// functions from plain inputs (a viewInput), so that every case is a table
// test and nothing here needs a lock, a clock or a dialog.

import (
	"slices"
	"strings"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/session"
	"ehealth-tray/tray"
)

// viewInput is everything the tray shows, as plain values.
type viewInput struct {
	Now           time.Time
	Session       session.Snapshot
	WarnBeforeEnd time.Duration
	// Unset: no settings file and no provider, a first run.
	Unset     bool
	Providers []config.Provider
	Provider  int         // index in Providers, -1 when none is usable
	Keystore  string      // the keystore in use, "" when none
	Files     []cert.File // the keystore folder's files
	Record    Record      // what is known of Keystore
	HasRecord bool
	Offer     *cert.File
	Notice    string // the last message
	Warning   string // about the current session (INAMI mismatch)
	ETK       etkView
	Card      cardState
	Busy      bool // a dialog or a session start is in progress
	Demo      bool
	Autostart bool
	// Profession chosen in the menu for the setup, -1 when none yet.
	Profession int
}

// present is the tray State of in, worded by l.
func present(l *i18n.Localizer, in viewInput) tray.State {
	state := in.Session.StateAt(in.Now, in.WarnBeforeEnd)
	problem := problemOf(l, in)
	s := tray.State{
		Title:    "eHealth",
		Icon:     iconFor(state, problem != ""),
		Settings: l.T("menu.settings"), OpenLog: l.T("menu.open-log"), Quit: l.T("menu.quit"),
		Renew: tray.Item{Visible: true, Enabled: true, Label: l.T("menu.renew")},
		Cert:  certLine(l, in),
	}
	s.Status, s.Tooltip, s.Notes = statusLines(l, in, state, problem)
	s.EID, s.Fallback, s.Stop = startItems(l, in, state)
	if in.Offer != nil {
		s.Offer = tray.Item{Visible: true, Enabled: !in.Busy, Label: l.T("menu.use-new-cert", map[string]any{"Date": l.Date(in.Offer.Created)})}
	}
	s.ETK = etkItem(l, in.ETK)
	s.Autostart = tray.Item{Visible: true, Enabled: !in.Demo, Label: l.T("menu.autostart")}
	if in.Demo {
		s.Autostart.Tooltip = l.T("menu.autostart-demo")
	}
	s.AutostartOn = in.Autostart
	switch {
	case in.Unset:
		s.Setup = tray.Item{Visible: true, Enabled: !in.Busy && in.Profession >= 0, Label: l.T("menu.setup")}
		if in.Profession < 0 {
			s.Setup.Tooltip = l.T("menu.choose-profession")
		}
		s.Choice = professionChoice(l, in.Profession)
	case len(in.Providers) > 1:
		for _, p := range in.Providers {
			s.Choice.Options = append(s.Choice.Options, p.Name)
		}
		s.Choice.Selected = in.Provider
	}
	return s
}

// iconFor is the icon of a session state; problem says a session cannot
// start (it shows only when no session is there or starting).
func iconFor(state session.State, problem bool) icons.Kind {
	switch {
	case state == session.StateActive:
		return icons.KindActive
	case state == session.StateEndingSoon:
		return icons.KindEndingSoon
	case state == session.StateStarting:
		return icons.KindConnecting
	case problem:
		return icons.KindProblem
	}
	return icons.KindNone
}

func live(state session.State) bool {
	return state == session.StateActive || state == session.StateEndingSoon
}

// statusLines gives the first menu line, the tooltip and the notes under
// the status line.
func statusLines(l *i18n.Localizer, in viewInput, state session.State, problem string) (status, tooltip string, notes []string) {
	var text string
	switch {
	case state == session.StateActive:
		via := l.T("status.via-eid")
		if in.Session.Method == session.MethodFallback {
			via = l.T("status.via-fallback")
		}
		text = l.T("status.active", map[string]any{"Time": when(l, in.Session.NotOnOrAfter, in.Now), "Via": via})
	case state == session.StateEndingSoon:
		text = l.T("status.ending", map[string]any{"Time": when(l, in.Session.NotOnOrAfter, in.Now)})
	case state == session.StateStarting:
		text = l.T("status.connecting")
	case problem != "":
		text = problem
	case in.Unset:
		text = l.T("status.not-set-up")
	default:
		text = l.T("status.none")
	}
	tooltip = l.T("tooltip.session", map[string]any{"Status": text})
	if problem != "" && !live(state) && state != session.StateStarting {
		tooltip = l.T("tooltip.problem", map[string]any{"Problem": problem})
	}
	name := l.T("status.no-provider")
	if p, ok := active(in); ok {
		name = p.Name
	}
	if in.Unset {
		name = "ehealth-tray"
	}
	if in.Warning != "" && live(state) {
		notes = append(notes, in.Warning)
	}
	if in.Notice != "" && state != session.StateStarting {
		notes = append(notes, in.Notice)
	}
	if line := etkNote(l, in.ETK); line != "" {
		notes = append(notes, line)
	}
	return name + " — " + text, tooltip, notes
}

// when is an end time as the practitioner reads it: the time alone today,
// "tomorrow 16:42", else with its date.
func when(l *i18n.Localizer, t, now time.Time) string {
	t, now = t.Local(), now.Local()
	day := func(x time.Time) time.Time { y, m, d := x.Date(); return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }
	switch day(t) {
	case day(now):
		return l.Time(t)
	case day(now).AddDate(0, 0, 1):
		return l.T("status.at-tomorrow", map[string]any{"Time": l.Time(t)})
	}
	return l.T("status.at-date", map[string]any{"Date": l.Date(t), "Time": l.Time(t)})
}

// startItems are Via eID, the fallback procedure and Stop.
func startItems(l *i18n.Localizer, in viewInput, state session.State) (eid, fallback, stop tray.Item) {
	_, hasP := active(in)
	// A renewal in progress shows the valid session (state), but is starting.
	startable := hasP && in.Keystore != "" && in.Session.State != session.StateStarting && !in.Busy
	eid = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.eid")}
	if live(state) {
		eid.Label = l.T("menu.eid-renew")
	}
	reason := ""
	switch {
	case in.Unset:
		// One reason for both: the setup item right above says what to do.
		eid.Tooltip = l.T("menu.set-up-first")
		fallback = tray.Item{Visible: true, Label: l.T("menu.fallback")}
		return eid, fallback, tray.Item{Label: l.T("menu.stop")}
	case !hasP:
		reason = l.T("menu.eid-no-provider")
	case in.Keystore == "":
		reason = l.T("menu.eid-no-certificate")
	}
	eid.Tooltip = reason
	if reason == "" && in.Card.known && !in.Card.present {
		eid.Enabled = false
		eid.Tooltip = in.Card.reason
	}
	fallback = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.fallback"), Tooltip: l.T("menu.fallback-tip")}
	if reason != "" {
		fallback.Tooltip = reason
	}
	stop = tray.Item{Visible: live(state), Enabled: true, Label: l.T("menu.stop")}
	return eid, fallback, stop
}

// certLine is the certificate line.
func certLine(l *i18n.Localizer, in viewInput) string {
	p, hasP := active(in)
	switch {
	case in.HasRecord:
		na := in.Record.Identity.NotAfter
		left := cert.DaysLeft(na, in.Now)
		if left < 0 || !in.Now.Before(na) {
			return l.T("menu.cert-expired", map[string]any{"Date": l.Date(na)})
		}
		return l.T("menu.cert-valid", map[string]any{"Date": l.Date(na), "Days": l.N("unit.days", left)})
	case in.Keystore != "":
		return l.T("menu.cert-unknown")
	case hasP && len(in.Files) > 0:
		return l.T("menu.cert-no-match", map[string]any{"NISS": normalNISS(p.NISS)})
	case in.Unset:
		return ""
	}
	return l.T("menu.cert-none")
}

// problemOf says why a session cannot start, when it cannot. A first run
// is no problem: the menu offers the setup instead.
func problemOf(l *i18n.Localizer, in viewInput) string {
	p, hasP := active(in)
	switch {
	case in.Unset:
		return ""
	case !hasP && len(in.Providers) == 0:
		return l.T("problem.no-provider")
	case !hasP:
		return l.T("problem.select-provider")
	}
	if _, problem := checks.NISS(p); problem != nil {
		return l.T("problem.niss")
	}
	if _, problem := checks.INAMI(p); problem != nil {
		return l.T("problem.inami")
	}
	if checks.Quality(p) != nil {
		return l.T("problem.quality")
	}
	if in.Keystore == "" && len(in.Files) > 0 {
		return l.T("problem.no-keystore-for-niss", map[string]any{"NISS": normalNISS(p.NISS), "Found": foundNISS(in.Files)})
	}
	if in.Keystore == "" {
		return l.T("problem.no-certificate")
	}
	if !in.HasRecord {
		return ""
	}
	switch v := checks.Validity(in.Record.Identity, in.Now); {
	case v == nil:
		return ""
	case v.Kind() == checks.KindCertificateExpired:
		return l.T("problem.certificate-expired")
	default:
		return v.Localize(l)
	}
}

// foundNISS lists the NISS of the keystores found, once each.
func foundNISS(files []cert.File) string {
	var out []string
	for _, f := range files {
		if !slices.Contains(out, f.SSIN) {
			out = append(out, f.SSIN)
		}
	}
	return strings.Join(out, ", ")
}

func active(in viewInput) (config.Provider, bool) {
	if in.Provider < 0 || in.Provider >= len(in.Providers) {
		return config.Provider{}, false
	}
	return in.Providers[in.Provider], true
}
