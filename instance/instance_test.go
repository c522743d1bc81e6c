package instance

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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
	select {
	case <-first.Activate:
	case <-time.After(5 * time.Second):
		t.Fatal("the first instance was not told")
	}
}

// TestCrashLeavesNoStaleLock kills a primary held by another process with
// SIGKILL; the next start must succeed.
func TestCrashLeavesNoStaleLock(t *testing.T) {
	if dir := os.Getenv("INSTANCE_HOLDER"); dir != "" {
		if _, err := Acquire(dir); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("READY\n")
		time.Sleep(time.Minute)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=TestCrashLeavesNoStaleLock")
	cmd.Env = append(os.Environ(), "INSTANCE_HOLDER="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "READY\n" {
		t.Fatalf("holder: %q %v", buf, err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, "instance.sock")); err != nil {
		t.Fatalf("the crash should have left the socket file for this test to mean anything: %v", err)
	}
	if _, err := net.Dial("unix", filepath.Join(dir, "instance.sock")); err == nil {
		t.Fatal("a dead instance still answers")
	}
	p, err := Acquire(dir)
	if err != nil {
		t.Fatalf("start after a crash: %v", err)
	}
	p.Close()
}
