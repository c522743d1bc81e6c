package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExampleFileIsCompleteAndClean(t *testing.T) {
	data, err := os.ReadFile("../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg, issues := Parse("config.toml.example", data)
	if len(issues) != 0 {
		t.Fatalf("example has issues: %v", issues)
	}
	if len(cfg.Providers) != 1 || cfg.Providers[0].NISS != "75031712390" || !cfg.Providers[0].Selected {
		t.Fatalf("provider not read: %+v", cfg.Providers)
	}
	// Every key of the Config struct is written in the example.
	var missing []string
	walkKeys(reflect.TypeOf(Config{}), "", func(key string) {
		if !strings.Contains(string(data), "\n"+lastPart(key)+" =") {
			missing = append(missing, key)
		}
	})
	if len(missing) > 0 {
		t.Fatalf("config.toml.example lacks keys: %v", missing)
	}
}

func walkKeys(t reflect.Type, prefix string, f func(string)) {
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("toml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		ft := t.Field(i).Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration{}) {
			walkKeys(ft, prefix+tag+".", f)
			continue
		}
		f(prefix + tag)
	}
}

func lastPart(k string) string { return k[strings.LastIndex(k, ".")+1:] }

func TestMissingFileMeansDefaults(t *testing.T) {
	cfg, issues, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err != nil || len(issues) != 0 {
		t.Fatalf("err=%v issues=%v", err, issues)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Fatalf("got %+v", cfg)
	}
}

func TestTyposAreReportedWithLineAndKeyAndDefaultsApply(t *testing.T) {
	in := `environment = "acceptance"
langauge = "nl"

[[provider]]
name = "A"
niss = 75031712390

[[provider]]
name = "B"
quality = "surgeon"

[sts]
timeout = "soon"
url = "https://127.0.0.1:8443/sts"

[session]
check_interval = "5m"
`
	cfg, issues := Parse("c.toml", []byte(in))
	want := map[string]int{
		"langauge":            2,
		"provider[0].niss":    6,
		"provider[1].quality": 10,
		"sts.timeout":         13,
	}
	got := map[string]int{}
	for _, i := range issues {
		got[i.Key] = i.Line
		if i.File != "c.toml" || i.Msg == "" {
			t.Errorf("issue without file or message: %+v", i)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("issues %v, want keys and lines %v", issues, want)
	}
	// The good keys still apply; the bad ones keep their defaults.
	if cfg.Environment != Acceptance || cfg.STS.URL != "https://127.0.0.1:8443/sts" {
		t.Errorf("good keys lost: %+v", cfg)
	}
	if cfg.STS.Timeout.Duration != 30*time.Second || cfg.Session.CheckInterval.Duration != 5*time.Minute {
		t.Errorf("durations: %v %v", cfg.STS.Timeout, cfg.Session.CheckInterval)
	}
	// An unknown profession is kept as written, for the provider.quality check.
	if len(cfg.Providers) != 2 || cfg.Providers[0].Name != "A" || cfg.Providers[0].NISS != "" || cfg.Providers[1].Quality != "surgeon" {
		t.Errorf("providers: %+v", cfg.Providers)
	}
	if s := issues[0].String(); !strings.HasPrefix(s, "c.toml:") {
		t.Errorf("issue string %q", s)
	}
}

func TestPathPrecedence(t *testing.T) {
	t.Setenv("EHEALTH_TRAY_CONFIG", "/env/c.toml")
	if p := Path("/flag/c.toml"); p != "/flag/c.toml" {
		t.Fatal(p)
	}
	if p := Path(""); p != "/env/c.toml" {
		t.Fatal(p)
	}
	t.Setenv("EHEALTH_TRAY_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if p := Path(""); p != "/xdg/ehealth-tray/config.toml" {
		t.Fatal(p)
	}
}

func TestSTSURL(t *testing.T) {
	c := Default()
	c.Environment = Acceptance
	if !strings.Contains(c.STSURL(), "services-acpt") {
		t.Fatal(c.STSURL())
	}
	c.STS.URL = "http://127.0.0.1:1/x"
	if c.STSURL() != "http://127.0.0.1:1/x" {
		t.Fatal(c.STSURL())
	}
}

func TestSelectedProviders(t *testing.T) {
	c := Default()
	c.Providers = []Provider{{Name: "solo"}}
	if len(c.SelectedProviders()) != 1 {
		t.Fatal("a single provider is selected")
	}
	c.Providers = []Provider{{Name: "a"}, {Name: "b", Selected: true}, {Name: "c", Selected: true}}
	if n := len(c.SelectedProviders()); n != 2 {
		t.Fatal(n)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile("../config.toml.example")
	f.Add(data)
	f.Add([]byte("[[provider]]\nname = 1\n[sts]\ntimeout = []\n"))
	f.Add([]byte("a = [[{b = \"\\u001b\"}]]\n[session\ncheck_interval = \"1ns\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, issues := Parse("fuzz.toml", b)
		if cfg.Environment != Production && cfg.Environment != Acceptance {
			t.Fatalf("invalid environment survived: %q", cfg.Environment)
		}
		if cfg.Session.CheckInterval.Duration < MinCheckInterval {
			t.Fatalf("interval %v", cfg.Session.CheckInterval)
		}
		for _, n := range cfg.Reminders.DaysBefore {
			if n < 0 || n > MaxDaysBefore {
				t.Fatalf("days %v", cfg.Reminders.DaysBefore)
			}
		}
		for _, p := range cfg.Providers {
			if hasControl(p.Name + p.NISS + p.INAMI + p.Quality + p.Keystore) {
				t.Fatalf("control character survived: %+v", p)
			}
		}
		for _, i := range issues {
			if hasControl(i.String()) {
				t.Fatalf("control character in %q", i.String())
			}
		}
	})
}

func TestRequestSignatureAndETKURL(t *testing.T) {
	cfg, issues := Parse("c.toml", []byte("environment = \"acceptance\"\n[sts]\nrequest_signature = \"rsa-md5\"\n"))
	if len(issues) != 1 || issues[0].Key != "sts.request_signature" || issues[0].Line != 3 {
		t.Fatalf("issues %+v", issues)
	}
	if cfg.STS.RequestSignature != "rsa-sha1" {
		t.Errorf("default request signature: %q", cfg.STS.RequestSignature)
	}
	if got := cfg.ETKURL(); got != "https://services-acpt.ehealth.fgov.be/EtkDepot/v1" {
		t.Errorf("acceptance ETK URL %q", got)
	}
	cfg, _ = Parse("c.toml", []byte("[sts]\nrequest_signature = \"rsa-sha256\"\n[etk]\nurl = \"https://127.0.0.1:9/etk\"\n"))
	if cfg.STS.RequestSignature != "rsa-sha256" || cfg.ETKURL() != "https://127.0.0.1:9/etk" {
		t.Errorf("got %q %q", cfg.STS.RequestSignature, cfg.ETKURL())
	}
	d := Default()
	if got := d.ETKURL(); got != "https://services.ehealth.fgov.be/EtkDepot/v1" {
		t.Errorf("production ETK URL %q", got)
	}
}
