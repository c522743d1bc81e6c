//go:build linux

package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/sts/ststest"
)

// sessionWorld is a fallback session's world for the whole-app benchmarks:
// a keystore with eHealth's real iteration count, the STS simulator behind
// a TLS server that times its own work, and a config pointing at both.
type sessionWorld struct {
	cfg, password string
	env           []string
	mu            sync.Mutex
	served        time.Duration // the server's time since the last reset
}

func newSessionWorld(b *testing.B) *sessionWorld {
	b.Helper()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		b.Skip("GNU time (Debian package time) measures the peak memory")
	}
	dir := b.TempDir()
	ca, err := certtest.NewCA(true)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	fx, err := certtest.New(certtest.Options{SSIN: "79021802145", CA: ca, NotBefore: now.Add(-time.Hour),
		NotAfter: now.AddDate(1, 0, 0), Iterations: certtest.RealIterations})
	if err != nil {
		b.Fatal(err)
	}
	ksDir := filepath.Join(dir, "keystore")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		b.Fatal(err)
	}
	if _, err := fx.WriteFile(ksDir, now.Add(-time.Hour)); err != nil {
		b.Fatal(err)
	}
	sim, err := ststest.New(ststest.Options{NIHII: "53886171521", TrustedCAs: []*x509.Certificate{ca.Cert}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sim.Close)
	w := &sessionWorld{password: certtest.DefaultPassword}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sim.Handler().ServeHTTP(rw, r)
		w.mu.Lock()
		w.served += time.Since(start)
		w.mu.Unlock()
	}))
	b.Cleanup(srv.Close)
	caFile := filepath.Join(dir, "sts-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		b.Fatal(err)
	}
	w.cfg = filepath.Join(dir, "config.toml")
	body := fmt.Sprintf("environment = 'acceptance'\nkeystore_dir = '%s'\n[sts]\nurl = '%s'\nca_file = '%s'\n[[provider]]\nname = \"Bench\"\nniss = \"79021802145\"\ninami = \"5/38861/71/521\"\nquality = \"physiotherapist\"\n",
		ksDir, srv.URL, caFile)
	if err := os.WriteFile(w.cfg, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	w.env = append(os.Environ(), "EHEALTH_TRAY_STATE_DIR="+filepath.Join(dir, "state"), "HOME="+dir)
	return w
}

// run runs the app with args and the password on stdin; it returns the
// wall time and the peak resident memory (the kernel's maxrss).
func (w *sessionWorld) run(b *testing.B, bin string, args ...string) (time.Duration, int64) {
	b.Helper()
	// GNU time forks the app: the rusage of a child exec'd straight from
	// this (large) test process would carry the test's own peak, which
	// Linux keeps across exec.
	rssFile := filepath.Join(b.TempDir(), "rss")
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile, bin, "--config", w.cfg}, args...)...)
	cmd.Env = w.env
	cmd.Stdin = bytes.NewReader([]byte(w.password + "\n"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\n%s", args, err, out.Bytes())
	}
	wall := time.Since(start)
	kib, err := os.ReadFile(rssFile)
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(kib)), 10, 64)
	if err != nil {
		b.Fatalf("GNU time wrote %q", kib)
	}
	return wall, n
}

// BenchmarkFallbackSession runs `session start --method fallback` as a
// process against the verifying simulator over TLS, with a keystore of
// eHealth's 50,000 iterations. ms-client/session is the process's wall time
// minus the server's own time (the measure of issue 13: 112 ms before, goal
// ≤ 70 ms); MB-peak-rss its peak resident memory (goal ≤ 15 MiB).
func BenchmarkFallbackSession(b *testing.B) {
	bin := buildApp(b)
	w := newSessionWorld(b)
	var client time.Duration
	var peak int64
	for b.Loop() {
		w.mu.Lock()
		w.served = 0
		w.mu.Unlock()
		wall, rss := w.run(b, bin, "session", "start", "--method", "fallback", "--password-stdin", "--json")
		w.mu.Lock()
		client += wall - w.served
		w.mu.Unlock()
		peak = max(peak, rss)
	}
	b.ReportMetric(float64(client.Microseconds())/1000/float64(b.N), "ms-client/session")
	b.ReportMetric(float64(peak)/1024, "MB-peak-rss")
}

// BenchmarkCommandRSS is the peak resident memory of short CLI commands
// (goal ≤ 10 MB each).
func BenchmarkCommandRSS(b *testing.B) {
	bin := buildApp(b)
	w := newSessionWorld(b)
	for _, args := range [][]string{{"version"}, {"certs", "--json"}, {"check", "--password-stdin", "--json"}} {
		b.Run(args[0], func(b *testing.B) {
			var peak int64
			for b.Loop() {
				_, rss := w.run(b, bin, args...)
				peak = max(peak, rss)
			}
			b.ReportMetric(float64(peak)/1024, "MB-peak-rss")
		})
	}
}
