package app

// Menu actions that talk to the desktop: autostart, settings, log, renewal page.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"ehealth-tray/autostart"
	"ehealth-tray/config"
	"ehealth-tray/notify"
)

// toggleAutostart flips "Start with my session". The menu shows what is on
// disk afterwards, not what was asked.
func (c *Core) toggleAutostart() {
	st, err := autostart.Status()
	if err == nil {
		if st.Enabled {
			err = autostart.Disable()
		} else {
			var e autostart.Entry
			if e, err = autostart.Self(c.autostartArgs()...); err == nil {
				err = autostart.Enable(e)
			}
		}
	}
	if err != nil {
		c.log.Warn("start with my session: not changed", "err", err)
		c.setNotice(c.loc.T("status.autostart-failed", map[string]any{"Error": err.Error()}))
	}
	c.refreshAutostart()
}

// autostartArgs keeps an explicit config file for the start at login.
func (c *Core) autostartArgs() []string {
	if c.cfg.Path == "" || c.cfg.Path == config.Path("") {
		return nil
	}
	if abs, err := filepath.Abs(c.cfg.Path); err == nil {
		return []string{"--config", abs}
	}
	return nil
}

func (c *Core) refreshAutostart() {
	st, err := autostart.Status()
	c.mu.Lock()
	c.autostartOn = err == nil && st.Enabled
	c.mu.Unlock()
	c.kick()
}

func (c *Core) openSettings(ctx context.Context) {
	c.mu.Lock()
	unset := c.unsetLocked()
	c.mu.Unlock()
	if unset {
		// First run: the example's sample provider would be taken for the
		// practitioner's, and Set up… could no longer write its file.
		c.setNotice(c.loc.T("traysetup.settings-first"))
		return
	}
	path := c.cfg.Path
	if path == "" {
		path = config.Path("")
	}
	if len(c.o.ExampleConfig) > 0 {
		if err := createExample(path, c.o.ExampleConfig); err != nil && !errors.Is(err, fs.ErrExist) {
			c.log.Warn("settings file not created", "path", path, "err", err)
		}
	}
	c.openTarget(ctx, path)
}

func (c *Core) openTarget(ctx context.Context, target string) {
	if err := c.o.OpenTarget(ctx, target); err != nil {
		c.log.Warn("could not open", "target", target, "err", err)
		c.setNotice(c.loc.T("status.open-failed", map[string]any{"Target": target}))
	}
}

// stateProblem reports, once per run, that the state dir cannot be written
// (read-only, full): the app keeps working from memory.
func (c *Core) stateProblem(err error) {
	c.mu.Lock()
	first := !c.stateWarned
	c.stateWarned = true
	if first {
		c.notice = c.loc.T("status.state-unwritable", map[string]any{"Dir": c.o.StateDir})
	}
	c.mu.Unlock()
	if !first {
		c.log.Debug("state not saved", "err", err)
		return
	}
	c.log.Warn("state dir not writable; running from memory", "dir", c.o.StateDir, "err", err)
	c.notify(context.Background(), notify.Notification{
		Title: c.loc.T("notify.state-unwritable"),
		Body:  c.loc.T("notify.state-unwritable-body", map[string]any{"Dir": c.o.StateDir, "Detail": err.Error()}),
	})
	c.kick()
}

// createExample writes the example settings only where no file (nor a
// dangling symlink) is: O_EXCL makes "never overwrite" atomic.
func createExample(path string, example []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(example); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
