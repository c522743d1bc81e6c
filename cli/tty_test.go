//go:build linux

package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTTYChild runs Main in a child process on a terminal; only
// TestPasswordOnTerminal starts it.
func TestTTYChild(t *testing.T) {
	args := os.Getenv("CLI_TTY_ARGS")
	if args == "" {
		return
	}
	var a []string
	_ = json.Unmarshal([]byte(args), &a)
	os.Exit(Main(a, os.Stdin, os.Stdout, os.Stderr))
}

// TestPasswordOnTerminal types the password at the terminal prompt of
// `cert inspect`, as a person in an SSH session would: it is read with echo
// off, so it never shows on the screen.
func TestPasswordOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not installed")
	}
	w := newWorld(t)
	args, _ := json.Marshal([]string{"cert", "inspect", w.valid, "--json"})
	// script gives the child a pseudo-terminal and copies our pipe into it.
	cmd := exec.Command("script", "-qefc", os.Args[0]+" -test.run=^TestTTYChild$", "/dev/null")
	cmd.Env = append(os.Environ(), "CLI_TTY_ARGS="+string(args), "LC_ALL=C")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	screen := make(chan string, 1)
	go func() {
		var b strings.Builder
		r := bufio.NewReader(out)
		typed := false
		for {
			c, err := r.ReadByte()
			if err != nil {
				break
			}
			b.WriteByte(c)
			// Type only once the prompt is there: echo is off from then on.
			if !typed && strings.Contains(b.String(), "Password:") {
				typed = true
				time.Sleep(200 * time.Millisecond)
				_, _ = io.WriteString(in, "s3cret\r")
			}
		}
		screen <- b.String()
	}()
	var got string
	select {
	case got = <-screen:
	case <-time.After(30 * time.Second):
		t.Fatal("no answer from the terminal session")
	}
	_ = cmd.Wait()
	if strings.Contains(got, "s3cret") {
		t.Fatalf("the password was echoed on the terminal:\n%s", got)
	}
	if !strings.Contains(got, `"ssin": "`+testSSIN+`"`) {
		t.Fatalf("no inspection result:\n%s", got)
	}
}
