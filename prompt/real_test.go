//go:build linux

package prompt

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRealPinentryUnderXvfb talks to the real pinentry-gtk-2 on a private X
// display, and types into it as a person would (xdotool): our Assuan client
// against the real program, non-ASCII and '%' included.
func TestRealPinentryUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("needs an X server")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "pinentry-gtk-2"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/test.sh installs xvfb, xdotool and pinentry-gtk2)", tool)
		}
	}
	display := startXvfb(t)
	t.Setenv("DISPLAY", display)
	p := Pinentry{Program: "pinentry-gtk-2"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A person types the password into the dialog titled by SETTITLE.
	typed := "Pw-dé%mo ok"
	done := person(ctx, t, "eHealth test", []string{"type", "--delay", "30", typed}, []string{"key", "Return"})
	got, err := p.Secret(ctx, Request{Title: "eHealth test", Description: "Mot de passe du certificat eHealth\nSSIN=79021802145", Prompt: "Mot de passe :"})
	<-done
	if err != nil || string(got) != typed {
		t.Fatalf("got %q, %v", got, err)
	}

	// Escape cancels: a normal outcome, ErrCanceled.
	done = person(ctx, t, "eHealth cancel", []string{"key", "Escape"})
	_, err = p.Secret(ctx, Request{Title: "eHealth cancel", Description: "Cancel me"})
	<-done
	if err != ErrCanceled {
		t.Fatalf("Escape: %v", err)
	}

	// The fallback question: Return on the default button does not start
	// anything; only an explicit OK does.
	done = person(ctx, t, "eHealth confirm", []string{"key", "Escape"})
	ok, err := p.Confirm(ctx, Request{Title: "eHealth confirm", Description: "Exceptional use only", OK: "Start", Cancel: "Cancel"})
	<-done
	if ok || err != nil {
		t.Fatalf("Escape on the question: %v %v", ok, err)
	}
}

func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "800x600x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	if err != nil {
		t.Fatalf("Xvfb did not start: %v", err)
	}
	return ":" + strings.TrimSpace(string(buf[:n]))
}

// person waits for the dialog titled title, then does each action in turn;
// the returned channel closes when done, so no keystroke outlives its
// dialog. There is no window manager: pinentry grabs the keyboard itself,
// so keys go to the display (XTEST), not to a window.
func person(ctx context.Context, t *testing.T, title string, actions ...[]string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := xdo(ctx, "search", "--sync", "--name", title); err != nil {
			t.Errorf("dialog %q never showed: %v", title, err)
			return
		}
		time.Sleep(500 * time.Millisecond) // the grab follows the window
		for _, a := range actions {
			if err := xdo(ctx, a...); err != nil {
				t.Errorf("xdotool %v: %v", a, err)
			}
		}
	}()
	return done
}

func xdo(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "xdotool", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}
