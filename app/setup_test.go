package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"ehealth-tray/config"
	"ehealth-tray/icons"
	"ehealth-tray/prompt"
	"ehealth-tray/tray"
)

// textPrompter answers text questions from texts, in order, and secrets
// with password.
type textPrompter struct {
	mu       sync.Mutex
	texts    []string
	password string
	asked    []string
}

func (p *textPrompter) Text(_ context.Context, r prompt.Request) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, r.Description)
	if len(p.texts) == 0 {
		return "", prompt.ErrCanceled
	}
	t := p.texts[0]
	p.texts = p.texts[1:]
	return t, nil
}

func (p *textPrompter) Secret(_ context.Context, r prompt.Request) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, r.Description)
	return []byte(p.password), nil
}

func (p *textPrompter) Confirm(context.Context, prompt.Request) (bool, error) { return true, nil }

// The first start without settings: no red "!", the setup in the menu; the
// profession from the menu, the INAMI and the password from dialogs; then
// the settings file, and a red icon with both ways to start enabled.
func TestCoreFirstRunSetup(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	r := newRig(t)
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.cfg.Providers = nil
	tp := &textPrompter{texts: []string{"12345678901", "5/38861/71/521"}, password: "s3cret"}
	r.run(Options{Prompter: tp})
	defer r.stop()

	s := r.wait("first run", func(s tray.State) bool { return s.Setup.Visible })
	if s.Icon != icons.KindNone || strings.Contains(s.Tooltip, "provider") || s.Setup.Enabled || len(s.Choice.Options) != len(config.Qualities) {
		t.Fatalf("first run: %+v", s)
	}
	// Settings… on a first run writes no example (its sample provider would
	// be taken for the practitioner's, and Set up… could no longer write).
	r.click(tray.CmdSettings)
	r.wait("settings says set up first", func(s tray.State) bool { return strings.Contains(lines(s), "First set up ehealth-tray") })
	if _, err := os.Lstat(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ehealth-tray", "config.toml")); err == nil {
		t.Fatal("Settings… wrote a settings file on a first run")
	}
	i := slices.Index(config.Qualities, "physiotherapist")
	r.cmds <- tray.Command{Kind: tray.CmdChoose, Index: i}
	r.wait("setup enabled", func(s tray.State) bool { return s.Setup.Enabled && s.Choice.Selected == i })
	r.click(tray.CmdSetup)
	s = r.wait("set up", func(s tray.State) bool { return !s.Setup.Visible && s.Fallback.Enabled && s.EID.Enabled })
	if s.Icon != icons.KindNone || !strings.HasPrefix(s.Tooltip, "eHealth: no session") || len(s.Choice.Options) != 0 {
		t.Fatalf("after setup: %+v", s)
	}

	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ehealth-tray", "config.toml")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %v %v", fi, err)
	}
	cfg, _, err := config.Load(path)
	if err != nil || len(cfg.Providers) != 1 {
		t.Fatalf("settings: %+v %v", cfg, err)
	}
	if p := cfg.Providers[0]; p.NISS != ssin || p.INAMI != "53886171521" || p.Quality != "physiotherapist" || p.Name == "" {
		t.Fatalf("provider: %+v", p)
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if len(tp.asked) != 3 || !strings.Contains(tp.asked[1], "INAMI") || tp.asked[1] == tp.asked[0] {
		t.Fatalf("a wrong INAMI must be asked again, with the reason: %q", tp.asked)
	}
}

// Settings… where no settings file exists writes the example it was given
// (no global), private, and opens it; an existing file is never touched.
func TestCoreSettingsWritesTheExample(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	r := newRig(t)
	opened := make(chan string, 2)
	r.run(Options{ExampleConfig: []byte("# the example\n"),
		CardPresent: func(context.Context) (bool, error) { return false, nil },
		OpenTarget:  func(_ context.Context, target string) error { opened <- target; return nil }})
	defer r.stop()

	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "ehealth-tray", "config.toml")
	r.click(tray.CmdSettings)
	if got := <-opened; got != path {
		t.Fatalf("opened %q, want %q", got, path)
	}
	data, err := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if err != nil || string(data) != "# the example\n" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %q %v %v", data, fi.Mode(), err)
	}
	if err := os.WriteFile(path, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.click(tray.CmdSettings)
	<-opened
	if data, _ := os.ReadFile(path); string(data) != "# mine\n" {
		t.Fatalf("an existing settings file was overwritten: %q", data)
	}
}
