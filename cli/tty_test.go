//go:build linux

package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/config"
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
	w := newWorld(t)
	got := onTerminal(t, []string{"cert", "inspect", w.valid, "--json"}, nil, []answer{{"Password:", "s3cret"}})
	if strings.Contains(got, "s3cret") {
		t.Fatalf("the password was echoed on the terminal:\n%s", got)
	}
	if !strings.Contains(got, `"ssin": "`+testSSIN+`"`) {
		t.Fatalf("no inspection result:\n%s", got)
	}
}

// TestPasswordStdinOnTerminal: --password-stdin with stdin a terminal (typed
// by hand) reads with echo off too, after a prompt.
func TestPasswordStdinOnTerminal(t *testing.T) {
	w := newWorld(t)
	got := onTerminal(t, []string{"cert", "inspect", w.valid, "--password-stdin", "--json"}, nil, []answer{{"Password:", "s3cret"}})
	if strings.Contains(got, "s3cret") {
		t.Fatalf("the password was echoed on the terminal:\n%s", got)
	}
	if !strings.Contains(got, `"ssin": "`+testSSIN+`"`) {
		t.Fatalf("no inspection result:\n%s", got)
	}
}

// TestCtrlCAtThePasswordPrompt: Ctrl+C at the prompt cancels the command
// with its message, instead of waiting for Enter.
func TestCtrlCAtThePasswordPrompt(t *testing.T) {
	w := newWorld(t)
	got := onTerminal(t, []string{"cert", "inspect", w.valid, "--json"}, nil, []answer{{"Password:", "\x03"}})
	if !strings.Contains(got, `"kind": "canceled"`) || !strings.Contains(got, `"message": "Cancelled"`) {
		t.Fatalf("not canceled:\n%s", got)
	}
}

// TestSetupOnTerminal: at a terminal, setup asks the profession as a
// numbered list, then the INAMI (again, when the first one is wrong), then
// the password, and writes the config.
func TestSetupOnTerminal(t *testing.T) {
	home, _ := setupHome(t, testSSIN)
	cfg := filepath.Join(home, "config.toml")
	got := onTerminal(t, []string{"setup", "--config", cfg}, []string{"HOME=" + home},
		[]answer{{"Number (1-5):", "2"}, {"INAMI number", "5/38861/72/521"}, {"INAMI number", "5/38861/71/521"}, {"Password:", "s3cret"}})
	for _, want := range []string{"  1. doctor", "  2. physiotherapist", "  5. midwife", "is not valid", "Configuration written: " + cfg,
		"Provider: Hélène D'Hondt \"Jr\", NISS 79.02.18-021.45, INAMI 5/38861/71/521, physiotherapist, production"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not on the terminal:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3cret") {
		t.Fatalf("the password was echoed:\n%s", got)
	}
	c, issues, err := config.Load(cfg)
	if err != nil || len(issues) != 0 || len(c.Providers) != 1 || c.Providers[0].Quality != "physiotherapist" || c.Providers[0].INAMI != "53886171521" {
		t.Fatalf("%v %v %+v", err, issues, c.Providers)
	}
}

// answer is what to type once the screen shows prompt.
type answer struct{ prompt, text string }

// onTerminal runs the command in a child process on a pseudo-terminal
// (script, from util-linux), types each answer once its prompt shows, and
// returns the screen.
func onTerminal(t *testing.T, args, env []string, answers []answer) string {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not installed")
	}
	a, _ := json.Marshal(args)
	// script gives the child a pseudo-terminal and copies our pipe into it.
	cmd := exec.Command("script", "-qefc", os.Args[0]+" -test.run=^TestTTYChild$", "/dev/null")
	cmd.Env = append(append(os.Environ(), "CLI_TTY_ARGS="+string(a), "LC_ALL=C"), env...)
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
		next, seen := 0, 0
		for {
			c, err := r.ReadByte()
			if err != nil {
				break
			}
			b.WriteByte(c)
			// Type only once the prompt is there: echo may be off from then on.
			if next < len(answers) {
				if i := strings.Index(b.String()[seen:], answers[next].prompt); i >= 0 {
					seen += i + len(answers[next].prompt)
					// The child writes the prompt, then turns echo off; typed
					// before that, a password would be echoed. The terminal
					// mode, behind script, has no outward sign to await.
					time.Sleep(200 * time.Millisecond)
					_, _ = io.WriteString(in, answers[next].text+"\r")
					next++
				}
			}
		}
		screen <- b.String()
	}()
	select {
	case got := <-screen:
		_ = cmd.Wait()
		return got
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the terminal session did not end; the screen:\n%s", <-screen)
	}
	return ""
}
