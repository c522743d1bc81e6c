package prompt

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ehealth-tray/errkind"
)

// fakePinentry points the fake pinentry at an answer file and returns a
// Prompter built the way the app builds it, from [prompt] program.
func fakePinentry(t *testing.T, answer, confirm string) (Prompter, string) {
	t.Helper()
	dir := t.TempDir()
	ans := filepath.Join(dir, "answer")
	if err := os.WriteFile(ans, []byte(answer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logf := filepath.Join(dir, "log")
	t.Setenv("FAKE_PINENTRY_ANSWER", ans)
	t.Setenv("FAKE_PINENTRY_CONFIRM", confirm)
	t.Setenv("FAKE_PINENTRY_LOG", logf)
	prog, err := filepath.Abs("testdata/fake-pinentry")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(prog)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(Pinentry); !ok {
		t.Fatalf("a pinentry program must be spoken to over Assuan, got %T", p)
	}
	return p, logf
}

func TestSecretOverAssuan(t *testing.T) {
	p, logf := fakePinentry(t, "s3cret%25with percent", "")
	got, err := p.Secret(context.Background(), Request{
		Title: "eHealth", Description: "Password of your eHealth certificate\nSSIN=79021802145", Prompt: "Password:",
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "s3cret%with percent" {
		t.Fatalf("secret %q", got)
	}
	log, _ := os.ReadFile(logf)
	for _, want := range []string{"SETTITLE eHealth", "SETDESC Password of your eHealth certificate%0ASSIN=79021802145", "SETPROMPT Password:", "GETPIN", "BYE"} {
		if !strings.Contains(string(log), want+"\n") {
			t.Errorf("pinentry was not sent %q; got:\n%s", want, log)
		}
	}
}

func TestCancelIsErrCanceled(t *testing.T) {
	p, _ := fakePinentry(t, "CANCEL", "")
	got, err := p.Secret(context.Background(), Request{Title: "t"})
	if !errors.Is(err, ErrCanceled) || got != nil {
		t.Fatalf("got %q, %v", got, err)
	}
	var k interface{ Kind() string }
	if !errors.As(err, &k) || k.Kind() != "canceled" {
		t.Fatalf("kind: %v", err)
	}
}

// TestBrokenDialogIsNoDialog: a dialog program that dies (no display, a
// broken install) is kind no-dialog, never a raw pinentry error.
func TestBrokenDialogIsNoDialog(t *testing.T) {
	for _, name := range []string{"false", "zenity-missing-display"} {
		prog, err := exec.LookPath("false")
		if err != nil {
			t.Skip("no false(1) on PATH")
		}
		var p Prompter = Pinentry{Program: prog}
		if name != "false" {
			// false exits 1, which zenity uses for Cancel: a missing program fails otherwise.
			p = Dialog{Program: filepath.Join(t.TempDir(), name), Style: Zenity}
		}
		_, err = p.Secret(context.Background(), Request{Title: "t"})
		var u *UnavailableError
		if !errors.As(err, &u) || errkind.Of(err) != "no-dialog" {
			t.Fatalf("%s: %v (kind %q)", name, err, errkind.Of(err))
		}
	}
	if errkind.Of(ErrNoProgram) != "no-dialog" {
		t.Fatal("ErrNoProgram has no kind")
	}
}

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		answer string
		want   bool
	}{{"yes", true}, {"no", false}} {
		p, logf := fakePinentry(t, "", tc.answer)
		ok, err := p.Confirm(context.Background(), Request{Title: "Fallback", Description: "Exceptional use only", OK: "Continue", Cancel: "Back"})
		if err != nil || ok != tc.want {
			t.Fatalf("%s: got %v, %v", tc.answer, ok, err)
		}
		log, _ := os.ReadFile(logf)
		if !strings.Contains(string(log), "CONFIRM\n") || !strings.Contains(string(log), "SETOK Continue\n") {
			t.Fatalf("log:\n%s", log)
		}
	}
}

func TestMissingProgram(t *testing.T) {
	if _, err := New("/nonexistent/pinentry-x"); err == nil {
		t.Fatal("want an error for a missing program")
	}
}

func TestProgramKinds(t *testing.T) {
	if _, ok := forProgram("/usr/bin/zenity").(Dialog); !ok {
		t.Error("zenity")
	}
	if d, ok := forProgram("/usr/bin/kdialog").(Dialog); !ok || d.Style != KDialog {
		t.Error("kdialog")
	}
	if _, ok := forProgram("/usr/bin/pinentry-gnome3").(Pinentry); !ok {
		t.Error("pinentry")
	}
}

func TestDialogCancelByExitStatus(t *testing.T) {
	// `false` exits 1, which is how zenity and kdialog report Cancel.
	d := Dialog{Program: "false", Style: Zenity}
	if _, err := d.Secret(context.Background(), Request{}); !errors.Is(err, ErrCanceled) {
		t.Fatalf("got %v", err)
	}
	if ok, err := d.Confirm(context.Background(), Request{}); ok || err != nil {
		t.Fatalf("got %v %v", ok, err)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	in := "a%b\nc\rd"
	if got := string(unescape([]byte(escape(in)))); got != in {
		t.Fatalf("%q", got)
	}
}

// TestDialogText: a visible entry goes through zenity's --entry (without
// --hide-text) or kdialog's --inputbox, and its answer comes back trimmed.
// A stand-in program records its arguments and answers as zenity would.
func TestDialogText(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	prog := filepath.Join(dir, "zenity")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\nprintf '5/38861/71/521\\n'\n"
	if err := os.WriteFile(prog, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, style := range []DialogStyle{Zenity, KDialog} {
		got, err := WithText{Prompter: Pinentry{Program: "/nonexistent"}, Texts: Dialog{Program: prog, Style: style}}.
			Text(context.Background(), Request{Title: "Set up", Description: "Your INAMI number"})
		if err != nil || got != "5/38861/71/521" {
			t.Fatalf("style %d: %q, %v", style, got, err)
		}
		args, _ := os.ReadFile(argsFile)
		want := map[DialogStyle]string{Zenity: "--entry\n--title\nSet up\n--text\nYour INAMI number\n", KDialog: "--title\nSet up\n--inputbox\nYour INAMI number\n"}[style]
		if string(args) != want {
			t.Errorf("style %d: arguments %q, want %q", style, args, want)
		}
	}
}
