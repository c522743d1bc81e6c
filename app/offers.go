package app

// Keystores: which one is in use, and newer ones offered for the same person.

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"ehealth-tray/cert"
	"ehealth-tray/checks"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
)

// discover lists the keystore folder and picks the provider's keystore.
func (c *Core) discover() {
	files, err := cert.Discover(c.cfg.KeystoreDirPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.log.Warn("keystore folder not readable", "dir", c.cfg.KeystoreDirPath(), "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = files
	p, ok := c.activeProvider()
	if !ok {
		c.current = ""
		return
	}
	// The recorded keystore (accepted by the practitioner) wins over the
	// newest file: a newer file must be offered and confirmed first.
	if rec, ok := c.records.ForSSIN(p.NISS, c.cfg.Environment); ok && p.Keystore == "" && fileExists(rec.Path) {
		c.current = rec.Path
	} else {
		c.current = checks.KeystoreFor(c.cfg, p, files)
	}
	// Newer files already in the folder are offered like new arrivals.
	for _, f := range files {
		if f.SSIN == normalNISS(p.NISS) && f.Environment == c.cfg.Environment && f.Path != c.current && c.newerThanCurrent(f) {
			f := f
			if c.offer == nil || f.Created.After(c.offer.Created) {
				c.offer = &f
			}
		}
	}
}

// consider looks at a complete keystore file the watcher reported, and
// offers it when it is a newer one of the active provider for this
// environment. Another person's keystore is never offered.
func (c *Core) consider(ctx context.Context, path string) {
	f, ok := cert.ParseName(filepath.Base(path))
	if !ok {
		return
	}
	f.Path = path
	c.mu.Lock()
	p, hasP := c.activeProvider()
	niss, err := cert.ParseNISS(p.NISS)
	newer := hasP && err == nil && f.SSIN == string(niss) && f.Environment == c.cfg.Environment &&
		path != c.current && c.newerThanCurrent(f) && (c.offer == nil || f.Created.After(c.offer.Created))
	if newer {
		c.offer = &f
		c.notice = c.loc.T("notify.offer")
	}
	c.mu.Unlock()
	if newer {
		c.log.Info("newer keystore found", "file", filepath.Base(path))
		c.notify(ctx, notify.Notification{
			Title: c.loc.T("notify.offer"),
			Body:  c.loc.T("notify.offer-body", map[string]any{"File": filepath.Base(path)}),
		})
	} else {
		// Another person's, another environment's, or not newer.
		c.log.Debug("keystore not offered", "file", filepath.Base(path))
	}
	c.kick()
}

// newerThanCurrent compares the creation stamps in the file names. Callers
// hold c.mu.
func (c *Core) newerThanCurrent(f cert.File) bool {
	if c.current == "" {
		return true
	}
	cur, ok := cert.ParseName(filepath.Base(c.current))
	return !ok || f.Created.After(cur.Created)
}

// useNewCertificate asks the new keystore's password and switches to it when
// it is the same person's, newer and valid. Files are only read.
func (c *Core) useNewCertificate(ctx context.Context) {
	c.mu.Lock()
	offer := c.offer
	p, _ := c.activeProvider()
	oldRec, hadOld := c.records.Get(c.current)
	c.mu.Unlock()
	if offer == nil {
		return
	}
	pw, err := c.secrets().KeystorePassword(ctx, offer.Path)
	if err != nil {
		if !IsCancel(err) {
			c.setNotice(ErrorMessage(c.loc, err))
		}
		return
	}
	ks, err := cert.Open(offer.Path, pw)
	prompt.Zero(pw)
	if err != nil {
		c.setNotice(c.loc.T("status.new-cert-not-used", map[string]any{"Reason": ErrorMessage(c.loc, err)}))
		return
	}
	id := ks.Identity
	niss, _ := cert.ParseNISS(p.NISS)
	var refuse string
	if problems := checks.Certificate(id, niss, c.cfg.Environment, c.clock.Now()); len(problems) > 0 {
		refuse = problems[0].Localize(c.loc) // the same rules as a session start's
	} else if hadOld && !id.NotAfter.After(oldRec.Identity.NotAfter) {
		refuse = c.loc.T("refuse.not-later", map[string]any{"Date": c.loc.Date(oldRec.Identity.NotAfter)})
	}
	if refuse != "" {
		c.setNotice(c.loc.T("status.new-cert-not-used", map[string]any{"Reason": refuse}))
		c.notify(ctx, notify.Notification{Title: c.loc.T("notify.new-cert-refused"), Body: c.loc.T("notify.new-cert-refused-body", map[string]any{"Reason": refuse}), Urgency: notify.Normal})
		return
	}
	c.recordKeystore(offer.Path, id)
	c.mu.Lock()
	c.current = offer.Path
	c.offer = nil
	until := map[string]any{"Date": c.loc.Date(id.NotAfter)}
	c.notice = c.loc.T("status.new-cert-in-use", until)
	c.mu.Unlock()
	c.log.Info("switched to the new keystore", "file", filepath.Base(offer.Path), "not_after", id.NotAfter)
	c.notify(ctx, notify.Notification{Title: c.loc.T("notify.new-cert-in-use"), Body: c.loc.T("notify.new-cert-in-use-body", until)})
	c.checkReminders(ctx)
	c.showETK()
	c.checkETK(ctx) // the renewed keystore's ETK is the one that may wait for its activation
}

func normalNISS(s string) string {
	n, err := cert.ParseNISS(s)
	if err != nil {
		return ""
	}
	return string(n)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
