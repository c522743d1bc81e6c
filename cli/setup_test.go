package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/config"
)

// setupHome is a fresh home with a keystore folder at the default place
// (~/ehealth/keystore) holding keystores of ssins, and no configuration.
func setupHome(t *testing.T, ssins ...string) (home, ksDir string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	ksDir = filepath.Join(home, "ehealth", "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		t.Fatal(err)
	}
	ca, err := certtest.NewCA(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ssin := range ssins {
		fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: ca, Password: "s3cret", GivenNames: "Hélène", Surname: `D'Hondt "Jr"`})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.WriteFile(ksDir, time.Now().AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
	}
	return home, ksDir
}

type setupOut struct {
	Config   string `json:"config"`
	Provider struct {
		Name, NISS, INAMI, Quality, Keystore, Environment string
	} `json:"provider"`
}

// TestSetup: setup with flags writes a config that loads without an issue
// and passes check; it is written once, 0600, at the default path.
func TestSetup(t *testing.T) {
	home, ksDir := setupHome(t, testSSIN)
	code, out, errOut := run(t, "s3cret\n", "setup", "--quality", "physiotherapist", "--inami", "5/38861/71/521", "--password-stdin", "--json")
	var got setupOut
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d %s %s (%v)", code, out, errOut, err)
	}
	want := filepath.Join(home, ".config", "ehealth-tray", "config.toml")
	p := got.Provider
	if got.Config != want || p.Name != `Hélène D'Hondt "Jr"` || p.NISS != testSSIN || p.INAMI != "53886171521" ||
		p.Quality != "physiotherapist" || p.Environment != "production" || filepath.Dir(p.Keystore) != ksDir {
		t.Fatalf("%s", out)
	}
	fi, err := os.Stat(want)
	if err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("%v %v", fi, err)
	}
	cfg, issues, err := config.Load(want)
	if err != nil || len(issues) != 0 || len(cfg.Providers) != 1 || cfg.Providers[0].Name != p.Name {
		t.Fatalf("%v %v %+v", err, issues, cfg)
	}
	if code, out, _ := run(t, "s3cret\n", "check", "--password-stdin", "--json"); code != 0 {
		t.Fatalf("check after setup: exit %d %s", code, out)
	}
	// A second run leaves the file as it is.
	before, _ := os.ReadFile(want)
	code, out, _ = run(t, "s3cret\n", "setup", "--quality", "doctor", "--inami", "5/38861/71/521", "--password-stdin", "--json")
	var failed jsonError
	_ = json.Unmarshal([]byte(out), &failed)
	if code != 1 || failed.Error.Kind != "config-exists" || !strings.Contains(failed.Error.Message, want) {
		t.Fatalf("exit %d %s", code, out)
	}
	if after, _ := os.ReadFile(want); string(after) != string(before) {
		t.Fatal("the existing config was changed")
	}
}

// TestSetupRefuses: each mistake has its kind, and no file is written.
func TestSetupRefuses(t *testing.T) {
	_, ksDir := setupHome(t, testSSIN)
	cfg := filepath.Join(t.TempDir(), "config.toml")
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		kind  string
	}{
		{"s3cret\n", []string{"--quality", "surgeon", "--inami", "53886171521"}, 1, "invalid-quality"},
		{"s3cret\n", []string{"--quality", "nurse", "--inami", "53886172521"}, 1, "invalid-inami"},
		{"s3cret\n", []string{"--quality", "nurse", "--inami", "53886171521", "--niss", "79021802146"}, 1, "invalid-niss"},
		{"s3cret\n", []string{"--quality", "nurse", "--inami", "53886171521", "--niss", "75031712390"}, 1, "no-keystore"},
		{"wrong\n", []string{"--quality", "nurse", "--inami", "53886171521"}, 1, "wrong-password"},
		{"s3cret\n", []string{"--inami", "53886171521"}, 2, "usage"}, // no terminal to ask the profession
		{"s3cret\n", []string{"--quality", "nurse", "--inami", "53886171521", "--environment", "test"}, 1, "invalid-environment"},
	} {
		args := append([]string{"setup", "--config", cfg, "--password-stdin", "--json"}, tc.args...)
		code, out, _ := run(t, tc.stdin, args...)
		var got jsonError
		_ = json.Unmarshal([]byte(out), &got)
		if code != tc.code || got.Error.Kind != tc.kind || got.Error.Message == "" {
			t.Errorf("%v: exit %d %s, want %d %s", tc.args, code, out, tc.code, tc.kind)
		}
		if _, err := os.Lstat(cfg); !os.IsNotExist(err) {
			t.Fatalf("%v: a config was written", tc.args)
		}
	}
	// An empty keystore folder.
	entries, _ := os.ReadDir(ksDir)
	for _, e := range entries {
		_ = os.Remove(filepath.Join(ksDir, e.Name()))
	}
	code, out, _ := run(t, "s3cret\n", "setup", "--config", cfg, "--quality", "nurse", "--inami", "53886171521", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, `"kind": "no-keystore"`) || !strings.Contains(out, ksDir) {
		t.Fatalf("exit %d %s", code, out)
	}
}

// TestSetupSeveralPeople: keystores of several NISS and no --niss: exit 2,
// naming every NISS; --niss chooses.
func TestSetupSeveralPeople(t *testing.T) {
	setupHome(t, testSSIN, "75031712390")
	cfg := filepath.Join(t.TempDir(), "config.toml")
	code, out, errOut := run(t, "s3cret\n", "setup", "--config", cfg, "--quality", "nurse", "--inami", "53886171521", "--password-stdin")
	if code != 2 || out != "" || !strings.Contains(errOut, "79.02.18-021.45") || !strings.Contains(errOut, "75.03.17-123.90") || !strings.Contains(errOut, "--niss") {
		t.Fatalf("exit %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(t, "s3cret\n", "setup", "--config", cfg, "--quality", "nurse", "--inami", "53886171521", "--niss", "75.03.17-123.90", "--name", "Anne", "--password-stdin")
	if code != 0 || !strings.Contains(out, "Provider: Anne, NISS 75.03.17-123.90, INAMI 5/38861/71/521, nurse, production") {
		t.Fatalf("exit %d %s %s", code, out, errOut)
	}
}

// TestSetupInFrench: what setup says is in the reader's language, the
// checksum errors included, without the English detail.
func TestSetupInFrench(t *testing.T) {
	setupHome(t, testSSIN)
	t.Setenv("LC_ALL", "fr_BE.UTF-8")
	cfg := filepath.Join(t.TempDir(), "config.toml")
	code, out, _ := run(t, "s3cret\n", "setup", "--config", cfg, "--quality", "nurse", "--inami", "53886172521", "--password-stdin", "--json")
	if code != 1 || !strings.Contains(out, "Le numéro INAMI « 53886172521 » n'est pas valide") || strings.Contains(out, "checksum") {
		t.Fatalf("exit %d %s", code, out)
	}
	code, out, _ = run(t, "s3cret\n", "setup", "--config", cfg, "--quality", "nurse", "--inami", "53886171521", "--password-stdin")
	if code != 0 || !strings.Contains(out, "Prestataire : Hélène D'Hondt \"Jr\", NISS 79.02.18-021.45, INAMI 5/38861/71/521, infirmier ou infirmière") {
		t.Fatalf("exit %d %s", code, out)
	}
}

// TestSetupChecksFlagsFirst: a typo in a flag is said before anything is
// looked for, even with no keystore at all.
func TestSetupChecksFlagsFirst(t *testing.T) {
	setupHome(t) // no keystore
	cfg := filepath.Join(t.TempDir(), "config.toml")
	for args, kind := range map[string]string{
		"--quality nurse --inami 53886172521":                     "invalid-inami",
		"--quality plumber --inami 53886171521":                   "invalid-quality",
		"--quality nurse --inami 53886171521 --niss 79021802146":  "invalid-niss",
		"--quality nurse --inami 53886171521 --environment stage": "invalid-environment",
		"--quality nurse --inami 53886171521":                     "no-keystore",
	} {
		code, out, _ := run(t, "", append([]string{"setup", "--config", cfg, "--json"}, strings.Fields(args)...)...)
		var got jsonError
		_ = json.Unmarshal([]byte(out), &got)
		if code != 1 || got.Error.Kind != kind {
			t.Errorf("%s: exit %d, kind %q, want %s", args, code, got.Error.Kind, kind)
		}
	}
}
