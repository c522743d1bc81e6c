package app

// Certificate expiry reminders.

import (
	"context"

	"ehealth-tray/notify"
	"ehealth-tray/reminders"
)

// checkReminders gives the expiry reminder that is due, if any. It runs from
// the main loop and after a session start or a certificate switch; remMu
// makes the due-check and the mark one step, so a reminder is never given
// twice.
func (c *Core) checkReminders(ctx context.Context) {
	c.remMu.Lock()
	defer c.remMu.Unlock()
	c.mu.Lock()
	rec, ok := c.records.Get(c.current)
	c.mu.Unlock()
	if !ok {
		return
	}
	now := c.clock.Now()
	key := reminders.CertKey(rec.Identity.SSIN, rec.Identity.NotAfter)
	r, mark := reminders.Due(now, rec.Identity.NotAfter, key, c.cfg.Reminders.DaysBefore, c.ledger.GivenSet())
	if r == nil {
		return
	}
	if err := c.ledger.Mark(now, mark...); err != nil {
		c.stateProblem(err)
	}
	title, body := c.reminderText(r)
	c.setNotice(title)
	c.notify(ctx, notify.Notification{Title: title, Body: body, Urgency: reminderUrgency(r)})
}

func reminderUrgency(r *reminders.Reminder) int {
	if r.Expired || r.DaysLeft <= 7 {
		return notify.Critical
	}
	return notify.Normal
}

func (c *Core) reminderText(r *reminders.Reminder) (string, string) {
	date := map[string]any{"Date": c.loc.Date(r.NotAfter)}
	if r.Expired {
		return c.loc.T("notify.cert-expired"), c.loc.T("notify.cert-expired-body", date)
	}
	return c.loc.N("notify.cert-expires", r.DaysLeft), c.loc.T("notify.cert-expires-body", date)
}
