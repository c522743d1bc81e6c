package app

// The Core's side of the presenter: it gathers the view's inputs under its
// lock and sends what present makes of them.

import (
	"slices"

	"ehealth-tray/tray"
)

// State returns what the tray shows now.
func (c *Core) State() tray.State {
	c.mu.Lock()
	in := c.inputLocked()
	c.mu.Unlock()
	return present(c.loc, in)
}

// render sends the State to the tray, and logs each new status line, so
// that the log tells the story even without a tray. Only Run calls it.
func (c *Core) render() {
	s := c.State()
	if line := s.Status + " | " + s.Cert; line != c.logged {
		c.log.Info("state", "status", s.Status, "notes", s.Notes, "certificate", s.Cert)
		c.logged = line
	}
	c.out.Send(s)
}

// inputLocked copies what the view needs. Callers hold c.mu.
func (c *Core) inputLocked() viewInput {
	rec, hasRec := c.records.Get(c.current)
	return viewInput{
		Now:           c.clock.Now(),
		Session:       c.snap,
		WarnBeforeEnd: c.cfg.Session.WarnBeforeEnd.Duration,
		Unset:         c.unsetLocked(),
		Providers:     slices.Clone(c.cfg.Providers),
		Provider:      c.provider,
		Keystore:      c.current,
		Files:         slices.Clone(c.files),
		Record:        rec,
		HasRecord:     hasRec,
		Offer:         c.offer,
		Notice:        c.notice,
		Warning:       c.warning,
		ETK:           c.etk,
		Card:          c.card,
		Busy:          c.busy,
		Demo:          c.o.Demo,
		Autostart:     c.autostartOn,
		Profession:    c.profession,
	}
}

// unsetLocked: no settings file and no provider, a first run. Callers hold c.mu.
func (c *Core) unsetLocked() bool { return c.cfg.Path == "" && len(c.cfg.Providers) == 0 }
