package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/session"
	"ehealth-tray/tray"
)

var langs = []string{"en", "fr", "nl", "de"}

func TestIconFor(t *testing.T) {
	for _, tc := range []struct {
		state   session.State
		problem bool
		want    icons.Kind
	}{
		{session.StateActive, false, icons.KindActive},
		{session.StateActive, true, icons.KindActive}, // a live session is green whatever else
		{session.StateEndingSoon, true, icons.KindEndingSoon},
		{session.StateStarting, true, icons.KindConnecting},
		{session.StateNone, true, icons.KindProblem},
		{session.StateNone, false, icons.KindNone},
		{session.StateExpired, false, icons.KindNone},
		{session.StateFailed, false, icons.KindNone},
		{session.StateFailed, true, icons.KindProblem},
	} {
		if got := iconFor(tc.state, tc.problem); got != tc.want {
			t.Errorf("iconFor(%s, %v) = %v, want %v", tc.state, tc.problem, got, tc.want)
		}
	}
}

// noon is a fixed local "now", far from midnight.
var noon = time.Date(2026, 12, 3, 12, 0, 0, 0, time.Local)

// ready is a provider whose keystore is in use and known: a session can start.
func ready() viewInput {
	return viewInput{
		Now:           noon,
		WarnBeforeEnd: 10 * time.Minute,
		Providers:     []config.Provider{{Name: "Jan Peeters", NISS: ssin, INAMI: "53886171521", Quality: "physiotherapist", Selected: true}},
		Provider:      0,
		Keystore:      "/ks/SSIN=" + ssin + " 20251201-120000.p12",
		Files:         []cert.File{{Path: "/ks/SSIN=" + ssin + " 20251201-120000.p12", SSIN: ssin, Environment: config.Production, Newest: true}},
		Record:        Record{Identity: cert.Identity{SSIN: ssin, NotAfter: noon.AddDate(0, 0, 95)}},
		HasRecord:     true,
		Profession:    -1,
	}
}

func activeUntil(in viewInput, end time.Time) viewInput {
	in.Session = session.Snapshot{State: session.StateActive, Method: session.MethodEID, AssertionID: "a1", NotOnOrAfter: end}
	return in
}

func TestPresent(t *testing.T) {
	renewing := activeUntil(ready(), noon.Add(5*time.Minute))
	renewing.Session.State = session.StateStarting
	firstRun := viewInput{Now: noon, Unset: true, Provider: -1, Profession: -1}
	chosen := firstRun
	chosen.Profession = 1
	noMatch := ready()
	noMatch.Keystore, noMatch.HasRecord = "", false
	noMatch.Files = []cert.File{{Path: "/ks/SSIN=75031712390 20251201-120000.p12", SSIN: "75031712390", Environment: config.Production, Newest: true}}
	empty := noMatch
	empty.Files = nil
	for _, tc := range []struct {
		name, lang string
		in         viewInput
		icon       icons.Kind
		check      func(tray.State) string
	}{
		{"active today", "en", activeUntil(ready(), noon.Add(4*time.Hour+42*time.Minute)), icons.KindActive, func(s tray.State) string {
			return want(s.Tooltip == "eHealth: active until 16:42 (via eID)" && s.Stop.Visible && s.EID.Label == "Renew via eID", "tooltip, Stop, renew")
		}},
		{"active until tomorrow", "en", activeUntil(ready(), noon.Add(28*time.Hour+42*time.Minute)), icons.KindActive, func(s tray.State) string {
			return want(strings.Contains(s.Status, "active until tomorrow 16:42"), "tomorrow in the status")
		}},
		{"jusqu'à demain", "fr", activeUntil(ready(), noon.Add(28*time.Hour+42*time.Minute)), icons.KindActive, func(s tray.State) string {
			return want(strings.Contains(s.Status, "jusqu'à demain 16:42"), "demain in the status")
		}},
		{"beyond tomorrow", "en", activeUntil(ready(), noon.AddDate(0, 0, 3).Add(4*time.Hour+42*time.Minute)), icons.KindActive, func(s tray.State) string {
			return want(strings.Contains(s.Status, "active until 2026-12-06 16:42"), "the date in the status")
		}},
		{"expired by the clock", "en", activeUntil(ready(), noon.Add(-time.Minute)), icons.KindNone, func(s tray.State) string {
			return want(!s.Stop.Visible && s.EID.Enabled, "no Stop, startable")
		}},
		{"a renewal stays orange near the end", "en", renewing, icons.KindEndingSoon, func(s tray.State) string {
			return want(!s.EID.Enabled && !s.Fallback.Enabled, "nothing startable while starting")
		}},
		{"first run", "en", firstRun, icons.KindNone, func(s tray.State) string {
			return want(s.Setup.Visible && !s.Setup.Enabled && s.Setup.Tooltip != "" &&
				len(s.Choice.Options) == len(config.Qualities) && s.Choice.Selected == -1 &&
				!strings.Contains(s.Status, "no provider") && !s.EID.Enabled && s.EID.Tooltip == "Set up ehealth-tray first" && s.Cert == "",
				"setup offered, profession asked, no provider problem")
		}},
		{"first run, profession chosen", "fr", chosen, icons.KindNone, func(s tray.State) string {
			return want(s.Setup.Enabled && s.Setup.Label == "Configurer ehealth-tray…" && s.Choice.Selected == 1 && s.Choice.Options[1] == "Kinésithérapeute", "setup enabled")
		}},
		{"NISS matches no keystore", "en", noMatch, icons.KindProblem, func(s tray.State) string {
			return want(strings.Contains(s.Tooltip, "no keystore for NISS "+ssin) && strings.Contains(s.Tooltip, "75031712390") &&
				s.Cert == "No certificate for NISS "+ssin, "the NISS named, the file found named")
		}},
		{"empty keystore folder", "en", empty, icons.KindProblem, func(s tray.State) string {
			return want(strings.Contains(s.Tooltip, "no eHealth certificate") && s.Cert == "Certificate: none", "no certificate")
		}},
		{"no card", "en", func() viewInput {
			in := ready()
			in.Card = cardState{known: true, reason: "No eID card in the reader"}
			return in
		}(), icons.KindNone, func(s tray.State) string {
			return want(!s.EID.Enabled && s.EID.Label == "Via eID" && s.EID.Tooltip == "No eID card in the reader" && s.Fallback.Enabled, "the reason beside the label, not in it")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := present(i18n.New(tc.lang), tc.in)
			if s.Icon != tc.icon {
				t.Errorf("icon %v, want %v", s.Icon, tc.icon)
			}
			if msg := tc.check(s); msg != "" {
				t.Errorf("%s: %+v", msg, s)
			}
			for _, l := range labels(s) {
				if utf8.RuneCountInString(l) > tray.MaxLabel {
					t.Errorf("label over %d characters: %q", tray.MaxLabel, l)
				}
			}
		})
	}
}

func want(ok bool, what string) string {
	if ok {
		return ""
	}
	return "want " + what
}

// labels are the State's actionable items' labels: the tray wraps the
// informative lines, but cannot wrap these.
func labels(s tray.State) []string {
	out := []string{s.Settings, s.OpenLog, s.Quit}
	for _, it := range []tray.Item{s.Setup, s.EID, s.Fallback, s.Stop, s.Offer, s.Renew, s.ETK, s.Autostart} {
		out = append(out, it.Label)
	}
	return append(out, s.Choice.Options...)
}

// menuReasons are [menu] messages shown as a reason under an item (wrapped
// by the tray), not as a label.
var menuReasons = map[string]bool{"fallback-tip": true, "autostart-demo": true}

// TestMenuLabelsShort holds every catalog's menu labels to tray.MaxLabel,
// with the longest values their placeholders take.
func TestMenuLabelsShort(t *testing.T) {
	sample := map[string]any{"Date": "28/11/2026", "NISS": "79021802145"}
	for _, lang := range langs {
		var cat map[string]any
		data, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "active."+lang+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.Unmarshal(data, &cat); err != nil {
			t.Fatal(err)
		}
		menu, _ := cat["menu"].(map[string]any)
		if len(menu) < 10 {
			t.Fatalf("%s: only %d menu messages: is the catalog read?", lang, len(menu))
		}
		l := i18n.New(lang)
		sample["Days"] = l.N("unit.days", 1095) // a three-year certificate
		for key := range menu {
			if menuReasons[key] {
				continue
			}
			if got := l.T("menu."+key, sample); utf8.RuneCountInString(got) > tray.MaxLabel {
				t.Errorf("%s menu.%s is %d characters: %q", lang, key, utf8.RuneCountInString(got), got)
			}
		}
	}
}

func TestWhen(t *testing.T) {
	late := time.Date(2026, 12, 3, 23, 50, 0, 0, time.Local)
	for _, tc := range []struct {
		lang string
		end  time.Time
		want string
	}{
		{"en", late.Add(5 * time.Minute), "23:55"},
		{"en", late.Add(20 * time.Minute), "tomorrow 00:10"},
		{"nl", late.Add(20 * time.Minute), "morgen 00:10"},
		{"de", late.Add(49 * time.Hour), "06.12.2026 00:50"},
	} {
		if got := when(i18n.New(tc.lang), tc.end, late); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.end, got, tc.want)
		}
	}
}
