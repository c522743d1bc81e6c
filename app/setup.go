package app

// "Set up ehealth-tray…": the first start without settings. The profession
// is chosen in the menu, the INAMI number and the password are asked in
// dialogs, and package setup writes the settings file, as `ehealth-tray
// setup` does at a terminal.

import (
	"context"
	"errors"
	"strings"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/notify"
	"ehealth-tray/prompt"
	"ehealth-tray/setup"
	"ehealth-tray/tray"
)

// TextPrompter is a Prompter that can also ask a line of visible text. The
// setup asks the INAMI number and the NISS with it; with a Prompter that
// cannot, it uses a secret entry.
type TextPrompter interface {
	Text(ctx context.Context, r prompt.Request) (string, error)
}

// maxTries is how often the setup asks again after a wrong answer.
const maxTries = 3

// professionChoice is the menu's choice of profession for the setup.
func professionChoice(l *i18n.Localizer, chosen int) tray.Choice {
	ch := tray.Choice{Title: l.T("menu.profession"), Selected: chosen}
	for _, q := range config.Qualities {
		ch.Options = append(ch.Options, professionName(l, q))
	}
	return ch
}

func professionName(l *i18n.Localizer, q string) string {
	switch q {
	case "doctor":
		return l.T("menu.quality-doctor")
	case "physiotherapist":
		return l.T("menu.quality-physiotherapist")
	case "nurse":
		return l.T("menu.quality-nurse")
	case "dentist":
		return l.T("menu.quality-dentist")
	case "midwife":
		return l.T("menu.quality-midwife")
	}
	return q
}

// choose is a click on the menu's choice: the profession at setup, else
// the provider.
func (c *Core) choose(ctx context.Context, i int) {
	c.mu.Lock()
	unset := c.unsetLocked()
	if unset && i >= 0 && i < len(config.Qualities) {
		c.profession = i
	}
	c.mu.Unlock()
	if unset {
		c.kick()
		return
	}
	c.selectProvider(ctx, i)
}

// setup asks what the settings need, writes them, and starts using them.
// Cancel at any dialog leaves everything as it was.
func (c *Core) setup(ctx context.Context) {
	c.mu.Lock()
	q := c.profession
	dir := c.cfg.KeystoreDir
	dirPath := c.cfg.KeystoreDirPath()
	c.mu.Unlock()
	if q < 0 {
		c.setNotice(c.loc.T("menu.choose-profession"))
		return
	}
	plan, err := c.plan(ctx, dirPath)
	if err == nil {
		plan.Quality, plan.KeystoreDir = config.Qualities[q], dir
		path := config.Path("")
		err = setup.Write(path, plan)
		if err == nil {
			c.log.Info("settings written by the setup", "path", path)
			c.reloads <- path // cannot block: one setup at a time (busy)
			return
		}
	}
	if !IsCancel(err) {
		c.log.Warn("setup not done", "err", err)
		c.setNotice(ErrorMessage(c.loc, err))
	}
}

// plan finds the keystore and asks the NISS (when several people's are
// there), the INAMI number and the password, which gives the name.
func (c *Core) plan(ctx context.Context, dir string) (setup.Plan, error) {
	cands, err := setup.Candidates(dir)
	if err != nil {
		return setup.Plan{}, err
	}
	cand, err := setup.Pick(cands, "", "")
	var several *setup.SeveralNISSError
	if errors.As(err, &several) {
		cand, err = c.pickNISS(ctx, cands, several)
	}
	if err != nil {
		return setup.Plan{}, err
	}
	inami, err := c.askText(ctx, c.loc.T("traysetup.inami"), c.loc.T("traysetup.inami-prompt"), func(s string) error {
		_, err := setup.CheckINAMI(s)
		return err
	})
	if err != nil {
		return setup.Plan{}, err
	}
	name, err := c.prove(ctx, cand)
	if err != nil {
		return setup.Plan{}, err
	}
	return setup.Plan{Name: name, NISS: cand.NISS, INAMI: inami, Environment: cand.Environment, Keystore: cand.Path}, nil
}

func (c *Core) pickNISS(ctx context.Context, cands []setup.Candidate, several *setup.SeveralNISSError) (setup.Candidate, error) {
	var cand setup.Candidate
	list := make([]string, len(several.NISS))
	for i, n := range several.NISS {
		list[i] = cert.NISS(n).Format()
	}
	desc := c.loc.T("traysetup.niss", map[string]any{"List": strings.Join(list, ", ")})
	_, err := c.askText(ctx, desc, c.loc.T("traysetup.niss-prompt"), func(s string) error {
		var err error
		cand, err = setup.Pick(cands, s, "")
		return err
	})
	return cand, err
}

// prove asks the keystore's password until it opens the keystore.
func (c *Core) prove(ctx context.Context, cand setup.Candidate) (string, error) {
	var err error
	for range maxTries {
		var pw []byte
		if pw, err = c.secrets().KeystorePassword(ctx, cand.Path); err != nil {
			return "", err
		}
		name, perr := setup.Prove(cand, pw)
		prompt.Zero(pw)
		if perr == nil {
			return name, nil
		}
		err = perr
		c.setNotice(ErrorMessage(c.loc, err))
	}
	return "", err
}

// askText asks a line of text until check accepts it; a refusal is shown in
// the next dialog.
func (c *Core) askText(ctx context.Context, desc, label string, check func(string) error) (string, error) {
	var err error
	for range maxTries {
		d := desc
		if err != nil {
			d = ErrorMessage(c.loc, err) + "\n\n" + desc
		}
		r := prompt.Request{Title: c.loc.T("traysetup.title"), Description: d, Prompt: label}
		var s string
		if tp, ok := c.o.Prompter.(TextPrompter); ok {
			s, err = tp.Text(ctx, r)
		} else {
			var b []byte
			b, err = c.o.Prompter.Secret(ctx, r)
			s = string(b)
		}
		if err != nil {
			return "", err
		}
		if err = check(s); err == nil {
			return s, nil
		}
	}
	return "", err
}

// reload reads the settings the setup wrote, and starts over with them:
// the provider, its keystore and a session Manager. Run calls it, so that
// nothing else reads the settings meanwhile.
func (c *Core) reload(ctx context.Context, path string) {
	cfg, issues, err := config.Load(path)
	if err != nil {
		c.log.Warn("settings written by the setup not readable", "path", path, "err", err)
		c.setNotice(ErrorMessage(c.loc, err))
		return
	}
	for _, is := range issues {
		c.log.Warn("settings problem; the default applies", "issue", is.String())
	}
	c.mu.Lock()
	old, stop := c.mgr, c.stopMgr
	*c.cfg = cfg
	c.provider = -1
	if len(cfg.Providers) == 1 {
		c.provider = 0
	}
	c.notice = c.loc.T("status.set-up")
	c.mu.Unlock()
	c.restartFor(ctx, old, stop)
	c.notify(ctx, notify.Notification{Title: c.loc.T("notify.set-up"), Body: c.loc.T("notify.set-up-body", map[string]any{"Path": path})})
}
