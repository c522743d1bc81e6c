//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ehealth-tray/tray/traytest"
)

// buildApp builds the real, stripped binary once for the whole-app benchmarks.
func buildApp(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "ehealth-tray")
	out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// appEnv is a private world for the app: its own bus, state and config.
func appEnv(b *testing.B, bus string) (env []string, cfg string) {
	b.Helper()
	dir := b.TempDir()
	cfg = filepath.Join(dir, "config.toml")
	ks := filepath.Join(dir, "keystore")
	_ = os.MkdirAll(ks, 0o700)
	body := fmt.Sprintf("keystore_dir = %q\n[[provider]]\nname = \"Bench\"\nniss = \"79021802145\"\ninami = \"5/38861/71/521\"\nquality = \"physiotherapist\"\n[eid]\nmodule = \"/nonexistent/libbeidpkcs11.so.0\"\n", ks)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	// The private bus stands in for the system bus too, as logind's would on
	// a desktop: the app then follows wake-up signals instead of polling.
	return append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, "DBUS_SYSTEM_BUS_ADDRESS="+bus, "EHEALTH_TRAY_STATE_DIR="+filepath.Join(dir, "state"), "HOME="+dir), cfg
}

// BenchmarkColdStartToTray measures from exec to the tray item registered
// on D-Bus (goal ≤ 150 ms).
func BenchmarkColdStartToTray(b *testing.B) {
	bin := buildApp(b)
	bus := traytest.StartBus(b)
	env, cfg := appEnv(b, bus)
	var total time.Duration
	b.ResetTimer() // the build and the bus are not the start
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		panel, err := traytest.NewWatcher(bus)
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin, "--config", cfg)
		cmd.Env = env
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b.StartTimer()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if _, err := panel.WaitItem(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		cancel()
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		panel.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
}

// BenchmarkIdle runs the app idle on a private desktop and measures its
// resident memory after a minute, then its CPU time and context switches
// (wake-ups) over EHEALTH_BENCH_IDLE (default 5m). Skipped unless that
// variable is set: it takes minutes. scripts/bench.sh sets it.
func BenchmarkIdle(b *testing.B) {
	idle, err := time.ParseDuration(os.Getenv("EHEALTH_BENCH_IDLE"))
	if err != nil || idle <= 0 {
		b.Skip("set EHEALTH_BENCH_IDLE=5m to measure idle cost (scripts/bench.sh does)")
	}
	bin := buildApp(b)
	bus := traytest.StartBus(b)
	panel, err := traytest.NewWatcher(bus)
	if err != nil {
		b.Fatal(err)
	}
	defer panel.Close()
	env, cfg := appEnv(b, bus)
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "--config", cfg)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := panel.WaitItem(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		// The measure is the resident size and the idle cost of a real
		// process over real time: these sleeps are the measurement.
		time.Sleep(time.Minute)
		pid := cmd.Process.Pid
		rss := statusKB(b, pid, "VmRSS")
		cpu0, sw0 := cpuTicks(b, pid), switches(b, pid)
		time.Sleep(idle)
		cpu1, sw1 := cpuTicks(b, pid), switches(b, pid)
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		b.ReportMetric(float64(rss)/1024, "MB-rss-after-1min")
		b.ReportMetric(float64(cpu1-cpu0)*10, "ms-cpu-idle") // USER_HZ = 100
		b.ReportMetric(float64(sw1-sw0)/idle.Minutes(), "wakeups/min")
	}
}

func statusKB(b *testing.B, pid int, field string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	b.Fatalf("%s not in /proc/%d/status", field, pid)
	return 0
}

// cpuTicks is utime+stime of the whole process, in clock ticks.
func cpuTicks(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

// switches sums the voluntary and involuntary context switches of every
// thread: each is a wake-up.
func switches(b *testing.B, pid int) int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue // a thread that just ended
		}
		for _, line := range strings.Split(string(data), "\n") {
			for _, k := range []string{"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"} {
				if v, ok := strings.CutPrefix(line, k); ok {
					n, _ := strconv.Atoi(strings.TrimSpace(v))
					total += n
				}
			}
		}
	}
	return total
}
