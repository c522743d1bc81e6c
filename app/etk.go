package app

// The ETK check in the tray (issue 11): after each session start, once a
// day at a regular check, and right after switching to a renewed keystore.
// A failed check is logged only: it never turns the icon red nor notifies.

import (
	"context"
	"path/filepath"

	"ehealth-tray/etk"
	"ehealth-tray/notify"
)

// etkFile is the last check's record, in the state folder.
const etkFile = "etk-check.json" // not "etk.json": that reads as a message id of the [etk] catalog section

// loadETK reads the last check, so that a restart shows its line without
// notifying again.
func (c *Core) loadETK() {
	rec, err := etk.LoadRecord(c.statePath(etkFile))
	if err != nil {
		c.log.Warn("ETK record not readable; the next check starts afresh", "err", err)
	}
	c.etkRec = rec
}

// showETK shows the recorded result while it is about the keystore in use.
func (c *Core) showETK() {
	c.mu.Lock()
	c.etk = etkView{}
	if c.etkRec.Keystore != "" && c.etkRec.Keystore == c.current {
		c.etk = etkView{Status: string(c.etkRec.Status)}
	}
	c.mu.Unlock()
}

// checkETKIfDue runs the regular check when a day has passed since the
// last one. It piggybacks on the existing regular check: no wake-up of its own.
func (c *Core) checkETKIfDue(ctx context.Context) {
	c.mu.Lock()
	// The demo's renewal story lasts minutes, not days: there a pending
	// activation is checked again at every regular check.
	due := etk.Due(c.clock.Now(), c.etkRec) || (c.o.Demo && c.etkRec.Status == etk.StatusNotActivated)
	c.mu.Unlock()
	if due {
		c.checkETK(ctx)
	}
}

// checkETK checks in the background, one check at a time. A check asked
// for while one runs (a switch to the renewed keystore during the session
// start's check) runs when that one ends, for the keystore then in use.
func (c *Core) checkETK(ctx context.Context) {
	if !c.etkChecking.CompareAndSwap(false, true) {
		c.etkAgain.Store(true)
		return
	}
	c.mu.Lock()
	p, ok := c.activeProvider()
	in := etk.Input{SSIN: normalNISS(p.NISS), KeystorePath: c.current, Files: c.files}
	timeout, caFile, url := c.cfg.STS.Timeout.Duration, c.cfg.CAFilePath(), c.cfg.ETKURL()
	c.mu.Unlock()
	if !ok || in.SSIN == "" || in.KeystorePath == "" {
		c.etkChecking.Store(false)
		return
	}
	c.tasks.Go(func() {
		defer func() {
			c.etkChecking.Store(false)
			if c.etkAgain.Swap(false) && ctx.Err() == nil {
				c.checkETK(ctx)
			}
		}()
		client, err := etk.NewClient(etk.Options{URL: url, Timeout: timeout, CAFile: caFile, Logger: c.log})
		if err != nil {
			c.log.Warn("ETK check not possible", "err", err)
			return
		}
		r, err := (&etk.Checker{Client: client, Log: c.log}).Check(ctx, in)
		if err != nil {
			c.log.Warn("ETK check failed; trying again at the next regular check", "err", err)
			return
		}
		c.onETK(ctx, r)
	})
}

// onETK shows a check's result, notifies at most once a day per situation,
// and records it.
func (c *Core) onETK(ctx context.Context, r etk.Result) {
	now := c.clock.Now()
	c.mu.Lock()
	if r.Keystore.Path != c.current {
		// Checked for a keystore no longer in use (a switch came meanwhile):
		// its result says nothing about the new one, which is checked next.
		c.mu.Unlock()
		return
	}
	last := c.etkRec
	tell := etk.ShouldNotify(now, last, r)
	c.etkRec = etk.Next(now, last, r, tell)
	rec := c.etkRec
	c.etk = etkView{Status: string(r.Status)}
	c.mu.Unlock()
	c.log.Info("ETK checked", "status", r.Status, "keystore", filepath.Base(r.Keystore.Path), "matches", filepath.Base(r.Matches))
	if err := etk.SaveRecord(c.statePath(etkFile), rec); err != nil {
		c.stateProblem(err)
	}
	if tell {
		title, body := etkText(c, r.Status)
		c.notify(ctx, notify.Notification{Title: title, Body: body, Urgency: notify.Normal})
	}
	c.kick()
}

func etkText(c *Core, s etk.Status) (title, body string) {
	switch s {
	case etk.StatusNotActivated:
		return c.loc.T("etk-tray.not-activated-title"), c.loc.T("etk-tray.not-activated")
	case etk.StatusMismatch:
		return c.loc.T("etk-tray.mismatch-title"), c.loc.T("etk-tray.mismatch")
	}
	return c.loc.T("etk-tray.not-found-title"), c.loc.T("etk-tray.not-found")
}
