//go:build unix

package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSessionStartInterrupted: Ctrl+C while eHealth is answering ends the
// command with kind "canceled", in the reader's words.
func TestSessionStartInterrupted(t *testing.T) {
	w := newWorld(t)
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default: // a retry: the test already knows
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	cfg, _ := os.ReadFile(w.cfgPath)
	path := filepath.Join(w.dir, "hang.toml")
	_ = os.WriteFile(path, []byte("language = \"fr\"\n"+string(cfg)+"[sts]\nurl = \""+hang.URL+"\"\n"), 0o600)
	type result struct {
		code int
		out  string
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := Main([]string{"session", "start", "--method", "fallback", "--config", path, "--password-stdin", "--json"},
			strings.NewReader("s3cret\n"), &out, &errOut)
		done <- result{code, out.String()}
	}()
	select {
	case <-arrived:
	case r := <-done:
		t.Fatalf("ended before the request: %d %s", r.code, r.out)
	case <-time.After(30 * time.Second):
		t.Fatal("no request")
	}
	// The command is waiting on the STS, with its SIGINT handler set.
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := <-done
	var got struct {
		State string
		Error struct{ Kind, Message string }
	}
	_ = json.Unmarshal([]byte(r.out), &got)
	if r.code != 1 || got.State != "failed" || got.Error.Kind != "canceled" || got.Error.Message != "Annulé : aucune session n'a été ouverte" {
		t.Fatalf("exit %d %s", r.code, r.out)
	}
}
