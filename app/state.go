package app

// The tray's view of the core: what the icon, tooltip and menu show.

import (
	"path/filepath"
	"slices"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/icons"
	"ehealth-tray/session"
	"ehealth-tray/tray"
)

func (c *Core) render(states chan tray.State) {
	c.mu.Lock()
	s := c.stateLocked()
	c.mu.Unlock()
	// Drop a stale state the view has not taken yet; the newest one wins.
	select {
	case states <- s:
	default:
		select {
		case <-states:
		default:
		}
		select {
		case states <- s:
		default:
		}
	}
}

// State returns what the tray shows now.
func (c *Core) State() tray.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stateLocked()
}

func (c *Core) stateLocked() tray.State {
	now := c.clock.Now()
	l := c.loc
	s := tray.State{
		Title:    "eHealth",
		Settings: l.T("menu.settings"), OpenLog: l.T("menu.open-log"), Quit: l.T("menu.quit"),
		Renew: tray.Item{Visible: true, Enabled: true, Label: l.T("menu.renew")},
	}
	p, hasP := c.activeProvider()
	rec, hasRec := c.records.Get(c.current)

	// The session, derived from the end time and now, never from a flag.
	snap := c.snap
	state := snap.State
	if (state == session.StateActive || state == session.StateEndingSoon) && !now.Before(snap.NotOnOrAfter) {
		state = session.StateExpired
	}
	// A renewal does not hide a session that is still valid: it stays green
	// (orange near its end) until the new one arrives or the old one ends.
	if state == session.StateStarting && snap.AssertionID != "" && now.Before(snap.NotOnOrAfter) {
		state = session.StateActive
		if !now.Before(snap.NotOnOrAfter.Add(-c.cfg.Session.WarnBeforeEnd.Duration)) {
			state = session.StateEndingSoon
		}
	}
	via := l.T("status.via-eid")
	if snap.Method == session.MethodFallback {
		via = l.T("status.via-fallback")
	}
	end := l.Time(snap.NotOnOrAfter)
	problem := c.problemLocked(p, hasP, rec, hasRec, now)
	var status string
	switch {
	case state == session.StateActive:
		s.Icon = icons.KindActive
		status = l.T("status.active", map[string]any{"Time": end, "Via": via})
	case state == session.StateEndingSoon:
		s.Icon = icons.KindEndingSoon
		status = l.T("status.ending", map[string]any{"Time": end})
	case state == session.StateStarting:
		s.Icon = icons.KindConnecting
		status = l.T("status.connecting")
	case problem != "":
		s.Icon = icons.KindProblem
		status = problem
	default:
		s.Icon = icons.KindNone
		status = l.T("status.none")
	}
	if s.Icon == icons.KindProblem {
		s.Tooltip = l.T("tooltip.problem", map[string]any{"Problem": problem})
	} else {
		s.Tooltip = l.T("tooltip.session", map[string]any{"Status": status})
	}
	name := l.T("status.no-provider")
	if hasP {
		name = p.Name
	}
	s.Status = name + " — " + status
	if c.warning != "" && (state == session.StateActive || state == session.StateEndingSoon) {
		s.Status += " · " + c.warning
	}
	if c.notice != "" && state != session.StateStarting {
		s.Status += " · " + c.notice
	}

	startable := hasP && c.current != "" && state != session.StateStarting && !c.busy
	s.EID = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.eid")}
	if state == session.StateActive || state == session.StateEndingSoon {
		s.EID.Label = l.T("menu.eid-renew")
	}
	switch {
	case !hasP:
		s.EID.Tooltip = l.T("menu.eid-no-provider")
	case c.current == "":
		s.EID.Tooltip = l.T("menu.eid-no-certificate")
	case c.card.known && !c.card.present:
		s.EID.Enabled = false
		s.EID.Tooltip = c.card.reason // the tray shows it next to the label
	}
	s.Fallback = tray.Item{Visible: true, Enabled: startable, Label: l.T("menu.fallback"), Tooltip: l.T("menu.fallback-tip")}
	s.Stop = tray.Item{Visible: state == session.StateActive || state == session.StateEndingSoon, Enabled: true, Label: l.T("menu.stop")}

	switch {
	case hasRec:
		left := cert.DaysLeft(rec.Identity.NotAfter, now)
		if left < 0 || !now.Before(rec.Identity.NotAfter) {
			s.Cert = l.T("menu.cert-expired", map[string]any{"Date": l.Date(rec.Identity.NotAfter)})
		} else {
			s.Cert = l.T("menu.cert-valid", map[string]any{"Date": l.Date(rec.Identity.NotAfter), "Days": l.N("unit.days", left)})
		}
	case c.current != "":
		s.Cert = l.T("menu.cert-unknown", map[string]any{"File": filepath.Base(c.current)})
	default:
		s.Cert = l.T("menu.cert-none")
	}
	if c.offer != nil {
		s.Offer = tray.Item{Visible: true, Enabled: !c.busy, Label: l.T("menu.use-new-cert", map[string]any{"SSIN": c.offer.SSIN, "Date": l.Date(c.offer.Created)})}
	}
	s.Autostart = tray.Item{Visible: true, Enabled: !c.o.Demo, Label: l.T("menu.autostart")}
	if c.o.Demo {
		s.Autostart.Tooltip = l.T("menu.autostart-demo")
	}
	s.AutostartOn = c.autostartOn
	if len(c.cfg.Providers) > 1 {
		for _, pr := range c.cfg.Providers {
			s.Providers = append(s.Providers, pr.Name)
		}
		s.SelectedProvider = c.provider
	}
	return s
}

// problemLocked says why a session cannot start, when it cannot.
func (c *Core) problemLocked(p config.Provider, hasP bool, rec Record, hasRec bool, now time.Time) string {
	switch {
	case !hasP && len(c.cfg.Providers) == 0:
		return c.loc.T("problem.no-provider")
	case !hasP:
		return c.loc.T("problem.select-provider")
	}
	if _, err := cert.ParseNISS(p.NISS); err != nil {
		return c.loc.T("problem.niss")
	}
	if _, err := cert.ParseINAMI(p.INAMI); err != nil {
		return c.loc.T("problem.inami")
	}
	if !slices.Contains(config.Qualities, p.Quality) {
		return c.loc.T("problem.quality")
	}
	if c.current == "" {
		return c.loc.T("problem.no-certificate")
	}
	if hasRec && !now.Before(rec.Identity.NotAfter) {
		return c.loc.T("problem.certificate-expired")
	}
	return ""
}
