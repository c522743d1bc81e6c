package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
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
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
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

// failingFile fails every write, like a full disk.
type failingFile struct{}

func (failingFile) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestFailingFileKeepsMirror: a file that fails after opening (a full disk)
// is said once; the mirror keeps every record, with no duplicates.
func TestFailingFileKeepsMirror(t *testing.T) {
	var mirror bytes.Buffer
	s := &sink{path: "x.log", file: failingFile{}, mirror: &mirror, stderr: &mirror}
	log := slog.New(slog.NewTextHandler(s, nil))
	for range 3 {
		log.Warn("renewal failed")
	}
	out := mirror.String()
	if strings.Count(out, "cannot write the log file x.log") != 1 || strings.Count(out, "renewal failed") != 3 {
		t.Fatalf("mirror got:\n%s", out)
	}
}

func TestRotation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ehealth-tray.log")
	r, err := openRotating(p, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("x", 59) + "\n")
	for range 7 {
		if _, err := r.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{p, p + ".1", p + ".2"} {
		fi, err := os.Stat(name)
		if err != nil || fi.Size() > 100 || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
	}
	if _, err := os.Stat(p + ".3"); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("more backups than asked")
	}
}
