package soap

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestTraceWritesExactBytes(t *testing.T) {
	var sent []byte
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		sent, _ = io.ReadAll(r.Body)
		w.WriteHeader(500)
		io.WriteString(w, soaFault)
	})
	dir := filepath.Join(t.TempDir(), "trace", "run")
	c := newClient(t, Options{URL: srv.URL, TraceDir: dir, TraceName: "sts"})
	if _, err := c.Call(context.Background(), testAction, ping()); err == nil {
		t.Fatal("the fault was not an error")
	}
	for name, want := range map[string]string{"sts-request.xml": string(sent), "sts-response.xml": soaFault} {
		path := filepath.Join(dir, name)
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
		if fi, err := os.Lstat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
			t.Errorf("%s: mode %v %v", name, fi.Mode(), err)
		}
	}
	if fi, err := os.Lstat(dir); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700) {
		t.Errorf("trace folder mode %v %v", fi.Mode(), err)
	}
}

func TestTraceNeverFollowsSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	srv := server(t, answer(200, okAnswer))
	base := t.TempDir()
	victim := filepath.Join(base, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A planted file symlink in the trace folder.
	dir := filepath.Join(base, "trace")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "sts-request.xml")); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(t, Options{URL: srv.URL, TraceDir: dir, TraceName: "sts"}).Call(context.Background(), testAction, ping()); err != nil {
		t.Fatal(err)
	}
	// The trace folder itself a symlink to another folder.
	other := filepath.Join(base, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{link, link + "/"} { // a trailing slash must not follow it either
		if _, err := newClient(t, Options{URL: srv.URL, TraceDir: d, TraceName: "sts"}).Call(context.Background(), testAction, ping()); err != nil {
			t.Fatal(err)
		}
	}

	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("the symlink's target was written: %q", got)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("an existing trace folder kept mode %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("traces written through a symlinked folder: %v", entries)
	}
	for _, name := range []string{"sts-request.xml", "sts-response.xml"} {
		// The planted link is replaced by the trace, never written through.
		if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want a private regular file", name, fi, err)
		}
	}
}

func TestTraceNeedsName(t *testing.T) {
	if _, err := New(Options{URL: "https://example.test/", TraceDir: t.TempDir()}); err == nil {
		t.Fatal("a trace folder without a name was accepted")
	}
}

// TestTraceWithoutAnswer: no answer, no response trace, not even an old one.
func TestTraceWithoutAnswer(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sts-response.xml"), []byte("an older answer"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{URL: "http://127.0.0.1:1/refused", TraceDir: dir, TraceName: "sts"})
	if _, err := c.Call(context.Background(), testAction, ping()); err == nil {
		t.Fatal("no error without a server")
	}
	if _, err := os.Stat(filepath.Join(dir, "sts-request.xml")); err != nil {
		t.Errorf("no request trace: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sts-response.xml")); !os.IsNotExist(err) {
		t.Errorf("a response trace without an answer: %v", err)
	}
}
