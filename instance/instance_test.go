package instance

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSecondInstanceHandsOver(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := Acquire(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("second start: %v", err)
	}
	if first.Handover != nil {
		t.Skipf("no hand-over socket here (Wine has no AF_UNIX): %v", first.Handover)
	}
	select {
	case <-first.Activate:
	case <-time.After(5 * time.Second):
		t.Fatal("the first instance was not told")
	}
	first.Close()
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("start after a clean exit: %v", err)
	}
	again.Close()
}

// TestHolder runs only in a child process: it takes the instance, prints
// the outcome, and holds it until killed.
func TestHolder(t *testing.T) {
	dir := os.Getenv("INSTANCE_HOLDER")
	if dir == "" {
		return
	}
	// The children meet at one moment set by the parent, to race for real.
	<-time.After(time.Until(startAt()))
	_, err := Acquire(dir)
	switch {
	case err == nil:
		os.Stdout.WriteString("PRIMARY\n")
	case errors.Is(err, ErrRunning):
		os.Stdout.WriteString("HANDED-OVER\n")
		os.Exit(0)
	default:
		os.Stdout.WriteString("ERROR " + err.Error() + "\n")
		os.Exit(1)
	}
	time.Sleep(time.Minute) // hold the instance until the parent kills this process
}

func startAt() time.Time {
	ns, _ := time.ParseDuration(os.Getenv("INSTANCE_START_IN"))
	return time.Now().Add(ns)
}

func startHolder(t *testing.T, dir string, in time.Duration) (*exec.Cmd, *bufio.Reader) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolder$")
	cmd.Env = append(os.Environ(), "INSTANCE_HOLDER="+dir, "INSTANCE_START_IN="+in.String())
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(out)
}

// TestSimultaneousStarts: a login autostart and a manual start at the same
// moment give exactly one primary, the other hands over.
func TestSimultaneousStarts(t *testing.T) {
	for round := 0; round < 5; round++ {
		dir := t.TempDir()
		var wg sync.WaitGroup
		results := make([]string, 3)
		for i := range results {
			_, out := startHolder(t, dir, 300*time.Millisecond)
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				line, _ := out.ReadString('\n')
				results[i] = strings.TrimSpace(line)
			}(i)
		}
		wg.Wait()
		primaries := 0
		for _, r := range results {
			switch r {
			case "PRIMARY":
				primaries++
			case "HANDED-OVER":
			default:
				t.Fatalf("round %d: %v", round, results)
			}
		}
		if primaries != 1 {
			t.Fatalf("round %d: %d primaries: %v", round, primaries, results)
		}
	}
}

// TestCrashLeavesNoStaleLock kills the primary with SIGKILL; the next start
// must become primary.
func TestCrashLeavesNoStaleLock(t *testing.T) {
	dir := t.TempDir()
	cmd, out := startHolder(t, dir, 0)
	if line, _ := out.ReadString('\n'); line != "PRIMARY\n" {
		t.Fatalf("holder: %q", line)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	// Wine has no AF_UNIX: there, only the lock is left to check.
	if _, err := os.Stat(filepath.Join(dir, "instance.sock")); err != nil && runtime.GOOS != "windows" {
		t.Fatalf("the crash should have left its socket file for this test to mean anything: %v", err)
	}
	p, err := Acquire(dir)
	if err != nil {
		t.Fatalf("start after a crash: %v", err)
	}
	p.Close()
}
