package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert"
)

// TestMain runs the tests in English whatever the machine's locale: the other
// tests read English texts. Tests of other languages set their own.
func TestMain(m *testing.M) {
	_ = os.Setenv("LC_ALL", "C")
	os.Exit(m.Run())
}

// withLanguage writes the world's config with language = lang.
func withLanguage(t *testing.T, w world, lang string) string {
	t.Helper()
	cfg, err := os.ReadFile(w.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.dir, lang+".toml")
	if err := os.WriteFile(path, []byte("language = \""+lang+"\"\n"+string(cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type checkOutput struct {
	OK     bool `json:"ok"`
	Checks []struct {
		ID      string `json:"id"`
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	} `json:"checks"`
}

// TestCheckTranslated: with language = fr, nl or de, `check --json` keeps its
// ids and shape and words every message in that language, dates included.
func TestCheckTranslated(t *testing.T) {
	w := newWorld(t)
	ks, err := cert.Open(w.valid, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	until := ks.Identity.NotAfter.Local()
	for _, tc := range []struct {
		lang  string
		words []string // in the messages of a passing run
		wrong string   // the wrong-password message
	}{
		{"fr", []string{"Prestataire : Test", "NISS 79.02.18-021.45", "INAMI 5/38861/71/521", "Certificat valable jusqu'au " + until.Format("02/01/2006"), " jours)", "« production »"}, "Mot de passe incorrect"},
		{"nl", []string{"Zorgverlener: Test", "INSZ 79.02.18-021.45", "RIZIV 5/38861/71/521", "Certificaat geldig tot " + until.Format("02/01/2006"), " dagen)", "‘productie’"}, "Verkeerd wachtwoord"},
		{"de", []string{"Leistungserbringer: Test", "ENSS 79.02.18-021.45", "LIKIV 5/38861/71/521", "Zertifikat gültig bis " + until.Format("02.01.2006"), " Tage)", "„Produktion“"}, "Falsches Passwort"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			cfg := withLanguage(t, w, tc.lang)
			code, out, errOut := run(t, "s3cret\n", "check", "--config", cfg, "--password-stdin", "--json")
			var res checkOutput
			if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK || len(res.Checks) != 9 {
				t.Fatalf("exit %d: %s %s (%v)", code, out, errOut, err)
			}
			if res.Checks[0].ID != "provider.selected" || res.Checks[8].ID != "certificate.environment" {
				t.Fatalf("check ids changed: %s", out)
			}
			var all strings.Builder
			for _, c := range res.Checks {
				all.WriteString(c.Message + "\n")
			}
			for _, w := range tc.words {
				if !strings.Contains(all.String(), w) {
					t.Errorf("%q not in:\n%s", w, all.String())
				}
			}
			if strings.Contains(all.String(), "Certificate") || strings.Contains(all.String(), "Provider") {
				t.Errorf("English left:\n%s", all.String())
			}
			code, out, _ = run(t, "nope\n", "check", "--config", cfg, "--password-stdin", "--json")
			if code != 1 || !strings.Contains(out, tc.wrong) || !strings.Contains(out, `"id": "certificate.password"`) {
				t.Fatalf("wrong password: exit %d %s", code, out)
			}
		})
	}
}

// TestCheckTextInFrench: the plain output, and blocked checks, read French;
// the language comes from the environment when the config has none.
func TestCheckTextInFrench(t *testing.T) {
	t.Setenv("LC_ALL", "fr_BE.UTF-8")
	cfg := filepath.Join(t.TempDir(), "c.toml")
	_ = os.WriteFile(cfg, []byte("[[provider]]\nname = \"Anne\"\nniss = \"\"\n"), 0o600)
	code, out, _ := run(t, "", "check", "--config", cfg)
	for _, want := range []string{
		fmt.Sprintf("✔ %-24s %s", "provider.selected", "Prestataire : Anne"),
		fmt.Sprintf("✘ %-24s %s", "provider.niss", "NISS non encodé : encodez-le dans le profil du prestataire"),
		fmt.Sprintf("✘ %-24s %s", "certificate.found", "Non vérifié : provider.niss doit d'abord réussir"),
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Fatalf("exit %d, %q not in:\n%s", code, want, out)
		}
	}
}

// TestErrorsAndUsageTranslated: JSON errors keep their kind and word the
// message; usage and command summaries follow the language too.
func TestErrorsAndUsageTranslated(t *testing.T) {
	w := newWorld(t)
	cfg := withLanguage(t, w, "nl")
	code, out, _ := run(t, "wrong\n", "cert", "inspect", w.valid, "--config", cfg, "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "wrong-password"`) || !strings.Contains(out, "Verkeerd wachtwoord voor het eHealth-certificaat") {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, _, errOut := run(t, "", "--config", cfg, "--help")
	if code != 0 || !strings.Contains(errOut, "Gebruik: ehealth-tray") || !strings.Contains(errOut, "voert de controles uit vóór de verbinding met eHealth") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Setenv("LC_ALL", "de_BE.UTF-8")
	code, _, errOut = run(t, "", "session", "start", "--method", "telepathy")
	if code != 2 || !strings.Contains(errOut, "--method muss eid oder fallback sein") || !strings.Contains(errOut, "Notfallverfahren") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestCertsInGerman: the table's header, environment and dates are German.
func TestCertsInGerman(t *testing.T) {
	w := newWorld(t)
	cfg := withLanguage(t, w, "de")
	code, out, _ := run(t, "", "certs", "--config", cfg)
	created := time.Now().AddDate(0, 0, -1).Format("02.01.2006")
	if code != 0 || !strings.Contains(out, "UMGEBUNG") || !strings.Contains(out, "Produktion") || !strings.Contains(out, created) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
