package logging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONFilePrivateAndLevel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ehealth-tray.log")
	log, closeFn, err := Open(Options{Path: p, Level: "warn", Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("session via the fallback procedure (exceptional use)", "method", "fallback")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 {
		t.Fatalf("level not applied: %q", data)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec["method"] != "fallback" {
		t.Fatalf("%v %v", err, rec)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v", st.Mode().Perm())
	}
}

func TestBadOptions(t *testing.T) {
	if _, _, err := Open(Options{Level: "loud"}); err == nil {
		t.Fatal("bad level accepted")
	}
	if _, _, err := Open(Options{Format: "xml"}); err == nil {
		t.Fatal("bad format accepted")
	}
}
