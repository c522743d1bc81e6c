package setup

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/config"
	"ehealth-tray/errkind"
)

const (
	ssinA = "79021802145"
	ssinB = "75031712390"
)

// keystore writes a keystore of ssin into dir.
func keystore(t *testing.T, dir, ssin string, created time.Time, acceptance bool) string {
	t.Helper()
	ca, err := certtest.NewCA(acceptance)
	if err != nil {
		t.Fatal(err)
	}
	fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: ca, Password: "s3cret", GivenNames: "Hélène", Surname: "D'Hondt"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, certtest.FileName(ssin, created, acceptance))
	if err := os.WriteFile(path, fx.P12, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCandidatesAndPick(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := keystore(t, dir, ssinA, now.AddDate(-1, 0, 0), false)
	newest := keystore(t, dir, ssinA, now.AddDate(0, 0, -1), false)
	acc := keystore(t, dir, ssinA, now, true)
	cands, err := Candidates(dir)
	if err != nil || len(cands) != 2 {
		t.Fatalf("%v %+v", err, cands)
	}
	for _, c := range cands {
		if c.Path == old {
			t.Fatalf("an older keystore is a candidate: %+v", cands)
		}
	}
	c, err := Pick(cands, "", "")
	if err != nil || c.Path != newest || c.Environment != config.Production || c.NISS != ssinA {
		t.Fatalf("production is preferred: %+v %v", c, err)
	}
	if c, err := Pick(cands, "79.02.18-021.45", config.Acceptance); err != nil || c.Path != acc {
		t.Fatalf("acceptance on request: %+v %v", c, err)
	}

	// Several people: the error names every NISS and is a usage error.
	keystore(t, dir, ssinB, now, false)
	cands, _ = Candidates(dir)
	_, err = Pick(cands, "", "")
	var several *SeveralNISSError
	if !errors.As(err, &several) || errkind.Of(err) != "usage" ||
		!strings.Contains(err.Error(), "79.02.18-021.45") || !strings.Contains(err.Error(), "75.03.17-123.90") {
		t.Fatalf("%v", err)
	}
	if c, err := Pick(cands, ssinB, ""); err != nil || c.NISS != ssinB {
		t.Fatalf("%+v %v", c, err)
	}
	for niss, kind := range map[string]string{"79021802146": KindInvalidNISS, "85073003328": KindNoKeystore} {
		if _, err := Pick(cands, niss, ""); errkind.Of(err) != kind {
			t.Errorf("%s: %v, want kind %s", niss, err, kind)
		}
	}
	if _, err := Pick(cands, "", "staging"); errkind.Of(err) != KindInvalidEnvironment {
		t.Errorf("%v", err)
	}
}

func TestCandidatesNone(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing")} {
		_, err := Candidates(dir)
		if errkind.Of(err) != KindNoKeystore || !strings.Contains(err.Error(), dir) {
			t.Fatalf("%s: %v", dir, err)
		}
	}
}

func TestProve(t *testing.T) {
	dir := t.TempDir()
	keystore(t, dir, ssinA, time.Now(), false)
	cands, _ := Candidates(dir)
	holder, err := Prove(cands[0], []byte("s3cret"))
	if err != nil || holder != "Hélène D'Hondt" {
		t.Fatalf("%q %v", holder, err)
	}
	if _, err := Prove(cands[0], []byte("nope")); errkind.Of(err) != "wrong-password" {
		t.Fatalf("%v", err)
	}
	// A file named after someone else is refused.
	lying := cands[0]
	lying.NISS = ssinB
	if _, err := Prove(lying, []byte("s3cret")); errkind.Of(err) != KindIdentityMismatch {
		t.Fatalf("%v", err)
	}
}

func validPlan(dir string) Plan {
	return Plan{Name: "Test", NISS: "79.02.18-021.45", INAMI: "5/38861/71/521", Quality: "physiotherapist",
		Environment: config.Production, KeystoreDir: dir}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Plan)
		kind string
	}{
		{func(p *Plan) { p.NISS = "79021802146" }, KindInvalidNISS},
		{func(p *Plan) { p.INAMI = "53886172521" }, KindInvalidINAMI},
		{func(p *Plan) { p.INAMI = "538861" }, KindInvalidINAMI},
		{func(p *Plan) { p.Quality = "surgeon" }, KindInvalidQuality},
		{func(p *Plan) { p.Quality = "" }, KindInvalidQuality},
		{func(p *Plan) { p.Environment = "test" }, KindInvalidEnvironment},
	} {
		p := validPlan("~/ehealth/keystore")
		tc.edit(&p)
		if err := p.Check(); errkind.Of(err) != tc.kind {
			t.Errorf("%+v: %v, want %s", p, err, tc.kind)
		}
	}
	p := validPlan("x")
	if err := p.Check(); err != nil || p.NISS != ssinA || p.INAMI != "53886171521" {
		t.Fatalf("%v %+v", err, p)
	}
	// The message is the catalog's, without the English detail.
	p.Quality = "surgeon"
	if err := p.Check(); !strings.Contains(err.Error(), "doctor, physiotherapist, nurse, dentist, midwife") {
		t.Fatal(err)
	}
}

// TestWriteLoads: the file written loads with config.Load without a single
// issue, and keeps a name with quotes, a backslash and accents, and a
// Windows path, exactly.
// TestNameWithoutControlCharacters: a certificate's or a typed name with
// control characters (ESC, bidi overrides, a newline) is written as one line
// of plain text, which the settings load back without an issue.
func TestNameWithoutControlCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	p := validPlan("")
	p.Name = "Evil\x1b[31m  Dupont\u202e\nJr"
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Evil[31m Dupont Jr" {
		t.Fatalf("name %q", p.Name)
	}
	if err := Write(path, p); err != nil {
		t.Fatal(err)
	}
	cfg, issues, err := config.Load(path)
	if err != nil || len(issues) != 0 || cfg.Providers[0].Name != p.Name {
		t.Fatalf("%v %v %+v", err, issues, cfg.Providers)
	}
}

func TestWriteLoads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.toml")
	p := validPlan(`C:\Users\Hélène\ehealth\keystore`)
	p.Name = `Dr "Hélène" D'Hondt \ Ångström 🩺`
	if err := Write(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	cfg, issues, err := config.Load(path)
	if err != nil || len(issues) != 0 {
		t.Fatalf("%v %v", err, issues)
	}
	if len(cfg.Providers) != 1 {
		t.Fatalf("%+v", cfg)
	}
	got := cfg.Providers[0]
	if got.Name != p.Name || got.NISS != ssinA || got.INAMI != "53886171521" || got.Quality != "physiotherapist" ||
		!got.Selected || got.Keystore != "" || cfg.KeystoreDir != p.KeystoreDir || cfg.Environment != config.Production {
		t.Fatalf("round trip: %+v %+v", cfg, got)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `keystore_dir = 'C:\Users\Hélène\ehealth\keystore'`) {
		t.Fatalf("path not in single quotes:\n%s", data)
	}
	if !strings.Contains(string(data), "# ") {
		t.Fatal("no comments")
	}
}

// TestPathStringFallback: a path a literal string cannot hold is still
// written so that it loads back.
func TestPathStringFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	p := validPlan(`/home/o'brien/ehealth "keys"`)
	if err := Write(path, p); err != nil {
		t.Fatal(err)
	}
	cfg, issues, err := config.Load(path)
	if err != nil || len(issues) != 0 || cfg.KeystoreDir != p.KeystoreDir {
		t.Fatalf("%v %v %q", err, issues, cfg.KeystoreDir)
	}
}

// TestWriteNeverTouchesAnExistingConfig: a file, or a symlink (even one
// pointing nowhere), at the path is left as it is.
func TestWriteNeverTouchesAnExistingConfig(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(existing, []byte("language = \"fr\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(existing, validPlan("x")); errkind.Of(err) != KindConfigExists {
		t.Fatalf("%v", err)
	}
	if data, _ := os.ReadFile(existing); string(data) != "language = \"fr\"\n" {
		t.Fatalf("changed: %q", data)
	}
	if runtime.GOOS == "windows" {
		return
	}
	target := filepath.Join(dir, "victim")
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, validPlan("x")); errkind.Of(err) != KindConfigExists {
		t.Fatalf("%v", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatal("the symlink was followed")
	}
	if err := Exists(link); errkind.Of(err) != KindConfigExists {
		t.Fatal(err)
	}
	// An invalid plan writes nothing.
	fresh := filepath.Join(dir, "fresh.toml")
	bad := validPlan("x")
	bad.INAMI = "1"
	if err := Write(fresh, bad); errkind.Of(err) != KindInvalidINAMI {
		t.Fatal(err)
	}
	if _, err := os.Lstat(fresh); !os.IsNotExist(err) {
		t.Fatal("an invalid plan left a file")
	}
}

// TestRenderDefaultFolder: a plan without a folder writes the default one.
func TestRenderDefaultFolder(t *testing.T) {
	p := validPlan("")
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	cfg, issues := config.Parse("c.toml", Render(p))
	if len(issues) != 0 || cfg.KeystoreDir != config.Default().KeystoreDir ||
		!strings.Contains(string(Render(p)), "keystore_dir = '"+config.Default().KeystoreDir+"'") {
		t.Fatalf("%v %q", issues, cfg.KeystoreDir)
	}
}
