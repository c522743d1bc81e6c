//go:build linux

package main

// The end-to-end test: the real app (this test binary re-run as
// `ehealth-tray --config …`) in a child process, on a private D-Bus where the
// test is the panel (StatusNotifierWatcher) and the notification server,
// against the STS simulator over HTTPS, with the fake pinentry answering the
// dialogs. Files in the keystore folder are written by other processes.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/cli"
	"ehealth-tray/sts/ststest"
	"ehealth-tray/tray/traytest"
)

const e2eArgsEnv = "EHEALTH_TRAY_E2E_ARGS"

// TestMain runs the app instead of the tests when started as the child.
func TestMain(m *testing.M) {
	if args := os.Getenv(e2eArgsEnv); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(cli.Main(a, os.Stdin, os.Stdout, os.Stderr, cli.WithExampleConfig(exampleConfig)))
	}
	// The tests read English texts, whatever the machine's locale; the
	// children inherit it.
	_ = os.Setenv("LC_ALL", "C")
	os.Exit(m.Run())
}

type e2e struct {
	t          *testing.T
	dir, ksDir string
	state      string
	answer     string // the fake pinentry's answer file
	cfgPath    string
	bus        string
	panel      *traytest.Watcher
	notes      *traytest.NotifyServer
	ca         *certtest.CA
	child      *exec.Cmd
	childDone  chan error
	logMu      sync.Mutex
	childLog   strings.Builder
	extraEnv   []string // added to the app's environment
	args       []string // after the global flags: a command, e.g. demo
}

func (e *e2e) ctx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	e.t.Cleanup(cancel)
	return ctx
}

func (e *e2e) keystore(ssin string, notAfter, created time.Time) *certtest.Fixture {
	e.t.Helper()
	fx, err := certtest.New(certtest.Options{SSIN: ssin, CA: e.ca, NotBefore: time.Now().AddDate(-3, 0, 0), NotAfter: notAfter, Password: "s3cret"})
	if err != nil {
		e.t.Fatal(err)
	}
	return fx
}

func (e *e2e) setAnswer(s string) {
	if err := os.WriteFile(e.answer, []byte(s+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// newE2E lays out the app's world: a keystore folder, a state folder, an
// answer file for the fake pinentry (in answers, outside what the app
// writes) and a CA for the keystores.
func newE2E(t *testing.T, answers string) *e2e {
	t.Helper()
	e := &e2e{t: t, dir: t.TempDir()}
	e.ksDir = filepath.Join(e.dir, "keystore")
	e.state = filepath.Join(e.dir, "state")
	e.answer = filepath.Join(answers, "answer")
	if err := os.MkdirAll(e.ksDir, 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.ca, err = certtest.NewCA(false); err != nil {
		t.Fatal(err)
	}
	return e
}

// desktop starts the private bus with the test's notification server and
// panel, closed at the end of the test.
func (e *e2e) desktop() {
	e.t.Helper()
	e.bus = traytest.StartBus(e.t)
	var err error
	if e.notes, err = traytest.NewNotifyServer(e.bus); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(e.notes.Close)
	if e.panel, err = traytest.NewWatcher(e.bus); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) startApp() {
	e.t.Helper()
	args, _ := json.Marshal(append([]string{"--config", e.cfgPath, "--log-level", "debug"}, e.args...))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		e2eArgsEnv+"="+string(args),
		"DBUS_SESSION_BUS_ADDRESS="+e.bus,
		"EHEALTH_TRAY_STATE_DIR="+e.state,
		"FAKE_PINENTRY_ANSWER="+e.answer,
		"FAKE_PINENTRY_CONFIRM=yes",
		"HOME="+e.dir,
		// Under -race, fyne.io/systray's own races must not fail the app;
		// the test judges the reports (traytest.OwnRaces).
		"GORACE="+os.Getenv("GORACE")+" exitcode=0",
	)
	cmd.Env = append(cmd.Env, e.extraEnv...)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.child = cmd
	e.childDone = make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			e.logMu.Lock()
			e.childLog.WriteString(sc.Text() + "\n")
			e.logMu.Unlock()
		}
		e.childDone <- cmd.Wait()
	}()
	e.t.Cleanup(func() {
		if e.child.ProcessState == nil {
			_ = e.child.Process.Kill()
		}
		e.logMu.Lock()
		races := traytest.OwnRaces(e.childLog.String())
		e.logMu.Unlock()
		for _, r := range races {
			e.t.Errorf("data race in our code:%s", r)
		}
		if e.t.Failed() {
			e.logMu.Lock()
			e.t.Logf("app log:\n%s", e.childLog.String())
			e.logMu.Unlock()
		}
	})
}

func (e *e2e) props(what string, ok func(traytest.Props) bool) traytest.Props {
	e.t.Helper()
	p, err := e.panel.WaitProps(e.ctx(15*time.Second), ok)
	if err != nil {
		e.t.Fatalf("%s: %v (last: %+v)", what, err, p)
	}
	return p
}

func (e *e2e) menu(what string, ok func([]traytest.MenuItem) bool) []traytest.MenuItem {
	e.t.Helper()
	m, err := e.panel.WaitMenu(e.ctx(15*time.Second), ok)
	if err != nil {
		e.t.Fatalf("%s: %v (last: %+v)", what, err, m)
	}
	return m
}

func labelled(items []traytest.MenuItem, prefix string) (traytest.MenuItem, bool) {
	for _, it := range items {
		if strings.HasPrefix(it.Label, prefix) && it.Visible {
			return it, true
		}
	}
	return traytest.MenuItem{}, false
}

func (e *e2e) click(prefix string) {
	e.t.Helper()
	items := e.menu("menu with "+prefix, func(m []traytest.MenuItem) bool {
		it, ok := labelled(m, prefix)
		return ok && it.Enabled
	})
	it, _ := labelled(items, prefix)
	if err := e.panel.Click(e.ctx(5*time.Second), it.ID); err != nil {
		e.t.Fatalf("click %s: %v", prefix, err)
	}
}

func (e *e2e) count(substr string) int {
	n := 0
	for _, r := range e.notes.Notifications() {
		if strings.Contains(r.Summary, substr) {
			n++
		}
	}
	return n
}

func TestEndToEndTray(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	e := newE2E(t, t.TempDir())
	sts, err := ststest.New(ststest.Options{TLS: true, NIHII: "53886171521"})
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	caFile := filepath.Join(e.dir, "sts-ca.pem")
	_ = os.WriteFile(caFile, sts.CACertPEM(), 0o600)
	pinentry, _ := filepath.Abs("prompt/testdata/fake-pinentry")

	const ssin = "79021802145"
	now := time.Now()
	old := e.keystore(ssin, now.Add(7*24*time.Hour-time.Hour), now.AddDate(-3, 0, 0))
	if _, err := old.WriteFile(e.ksDir, now.AddDate(-3, 0, 0)); err != nil {
		t.Fatal(err)
	}
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	cfg := fmt.Sprintf(`keystore_dir = %q
icon_colour = "green"
[[provider]]
name = "Test Kine"
niss = %q
inami = "5/38861/71/521"
quality = "physiotherapist"
[sts]
url = %q
ca_file = %q
[etk]
url = %q
[eid]
module = "/nonexistent/libbeidpkcs11.so.0"
[prompt]
program = %q
`, e.ksDir, ssin, sts.URL, caFile, "https://127.0.0.1:1/EtkDepot/v1", pinentry)
	if err := os.WriteFile(e.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	e.desktop()
	e.setAnswer("wrong")
	e.startApp()

	// A typo in the settings is said, with file, line and key; the rest works.
	if _, err := e.notes.WaitFor(e.ctx(10*time.Second), func(r traytest.Received) bool {
		return r.Summary == "1 problem in the settings" && strings.Contains(r.Body, "config.toml:2: icon_colour: unknown key")
	}); err != nil {
		t.Fatalf("settings typo not notified: %v; got %+v", err, e.notes.Notifications())
	}

	// Red at start, with the menu of product.md.
	p := e.props("red icon", func(p traytest.Props) bool { return p.Icon != nil && p.DominantColor() == "red" })
	if !strings.Contains(p.ToolTipTitle+p.ToolTipText, "no session") {
		t.Fatalf("tooltip: %+v", p)
	}
	items := e.menu("full menu", func(m []traytest.MenuItem) bool { _, ok := labelled(m, "Fallback procedure"); return ok })
	for _, want := range []string{"Test Kine", "Via eID", "Fallback procedure (certificate password)", "Certificate", "Renew certificate", "Settings", "Open log", "Quit"} {
		if _, ok := labelled(items, want); !ok {
			t.Fatalf("menu lacks %q: %+v", want, items)
		}
	}
	// The card is probed in the background at start: wait for its verdict.
	// The reason is on a line of its own: the label stays short.
	e.menu("Via eID disabled without the eID middleware", func(m []traytest.MenuItem) bool {
		it, ok := labelled(m, "Via eID")
		return ok && !it.Enabled && it.Label == "Via eID" && anyLabel(m, "eID software")
	})

	// Wrong password: stays red, says so.
	e.click("Fallback procedure")
	e.menu("wrong password message", func(m []traytest.MenuItem) bool { return anyLabel(m, "password") })
	if p := e.props("still red", func(traytest.Props) bool { return true }); p.DominantColor() != "red" {
		t.Fatalf("not red after a wrong password: %s", p.DominantColor())
	}

	// Right password: green, the tooltip holds the end time.
	e.setAnswer("s3cret")
	e.click("Fallback procedure")
	p = e.props("green icon", func(p traytest.Props) bool { return p.DominantColor() == "green" })
	if !strings.Contains(p.ToolTipTitle+p.ToolTipText, "active until") {
		t.Fatalf("tooltip: %+v", p)
	}
	// The keystore is now recorded: the 7-day reminder comes, once.
	if _, err := e.notes.WaitFor(e.ctx(10*time.Second), func(r traytest.Received) bool { return strings.Contains(r.Summary, "expires in 6 days") }); err != nil {
		t.Fatalf("7-day reminder: %v; got %+v", err, e.notes.Notifications())
	}

	// Another person's keystore: nothing.
	other := e.keystore("75031712390", now.AddDate(3, 0, 0), now)
	if _, err := other.WriteFile(e.ksDir, now); err != nil {
		t.Fatal(err)
	}
	// The same person's renewed keystore, written slowly by another process.
	renewed := e.keystore(ssin, now.AddDate(3, 0, 0), now)
	src := filepath.Join(e.dir, "renewed.p12")
	_ = os.WriteFile(src, renewed.P12, 0o600)
	dst := filepath.Join(e.ksDir, certtest.FileName(ssin, now, false))
	writer := exec.Command("sh", "-c", `n=$(wc -c < "$1"); i=0; while [ $i -lt $n ]; do dd if="$1" of="$2" bs=512 skip=$((i/512)) seek=$((i/512)) count=1 conv=notrunc status=none; i=$((i+512)); sleep 0.15; done`, "sh", src, dst)
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	writerDone := make(chan struct{})
	go func() { _ = writer.Wait(); close(writerDone) }()
	offered, err := e.notes.WaitFor(e.ctx(30*time.Second), func(r traytest.Received) bool { return strings.Contains(r.Summary, "New eHealth certificate") })
	if err != nil {
		t.Fatalf("no offer: %v", err)
	}
	select {
	case <-writerDone:
	default:
		t.Fatalf("offered while the file was still being written: %+v", offered)
	}
	time.Sleep(time.Second)
	if n := e.count("New eHealth certificate found"); n != 1 {
		t.Fatalf("%d offers (another SSIN must give none, the renewal one)", n)
	}
	e.click("Use the new certificate")
	want := now.AddDate(3, 0, 0).Format("2006-01-02")
	e.menu("new certificate line", func(m []traytest.MenuItem) bool {
		_, offer := labelled(m, "Use the new certificate")
		c, ok := labelled(m, "Certificate valid until")
		return ok && strings.Contains(c.Label, want) && !offer
	})
	got, _ := os.ReadFile(dst)
	if string(got) != string(renewed.P12) {
		t.Fatal("the new keystore file changed")
	}

	// Stop: red.
	e.click("Stop session")
	e.props("red after stop", func(p traytest.Props) bool { return p.DominantColor() == "red" })

	// A closed notification, then the panel restarts: the tray registers again.
	e.notes.CloseAll()
	e.panel.Close()
	if e.panel, err = traytest.NewWatcher(e.bus); err != nil {
		t.Fatal(err)
	}
	if _, err := e.panel.WaitItem(e.ctx(15 * time.Second)); err != nil {
		t.Fatalf("the tray did not register again after a panel restart: %v", err)
	}

	// Quit, start again: the reminder does not come back.
	e.click("Quit")
	select {
	case err := <-e.childDone:
		if err != nil {
			t.Fatalf("app exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the app did not quit")
	}
	e.panel.Close()
	if e.panel, err = traytest.NewWatcher(e.bus); err != nil {
		t.Fatal(err)
	}
	e.startApp()
	e.menu("menu after restart", func(m []traytest.MenuItem) bool { _, ok := labelled(m, "Certificate valid until "+want); return ok })
	time.Sleep(time.Second)
	if n := e.count("expires in"); n != 1 {
		t.Fatalf("the reminder came %d times across a restart", n)
	}
	// A closed terminal (SIGHUP) ends the app cleanly, like SIGTERM.
	_ = e.child.Process.Signal(syscall.SIGHUP)
	select {
	case err := <-e.childDone:
		if err != nil {
			t.Fatalf("app exit on SIGHUP: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the app did not stop on SIGHUP")
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if !strings.Contains(e.childLog.String(), "ehealth-tray stopped") {
		t.Fatal("no clean stop logged after SIGHUP")
	}
}

// anyLabel tells whether a visible menu line contains substr, in any case.
func anyLabel(items []traytest.MenuItem, substr string) bool {
	for _, it := range items {
		if it.Visible && strings.Contains(strings.ToLower(it.Label), strings.ToLower(substr)) {
			return true
		}
	}
	return false
}

// Without a session bus the tray cannot show anything: it says so, in the
// practitioner's words, and exits 1 instead of running unseen.
func TestEndToEndNoSessionBus(t *testing.T) {
	e := newE2E(t, t.TempDir())
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	if err := os.WriteFile(e.cfgPath, []byte("language = \"fr\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.bus = "unix:path=" + filepath.Join(e.dir, "no-bus")
	e.startApp()
	select {
	case err := <-e.childDone:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("exit: %v, want status 1", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the tray kept running without a session bus")
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if !strings.Contains(e.childLog.String(), "Aucun bus de session du bureau (D-Bus)") {
		t.Fatalf("no translated message on stderr:\n%s", e.childLog.String())
	}
}

// TestEndToEndDemoWithoutSessionBus: on a bare machine (no D-Bus) the demo
// still runs its story, its log showing each state, until Ctrl+C, which ends
// it cleanly.
func TestEndToEndDemoWithoutSessionBus(t *testing.T) {
	e := newE2E(t, t.TempDir())
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	if err := os.WriteFile(e.cfgPath, []byte("language = \"en\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.bus = "unix:path=" + filepath.Join(e.dir, "no-bus")
	e.args = []string{"demo", "--renew-after", "1h"}
	e.startApp()
	logged := func() bool {
		e.logMu.Lock()
		defer e.logMu.Unlock()
		return strings.Contains(e.childLog.String(), `msg=state status="Anne Demo — no session"`)
	}
	for deadline := time.Now().Add(30 * time.Second); !logged(); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-e.childDone:
			t.Fatalf("the demo ended without a session bus: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo logged no state")
		}
	}
	_ = e.child.Process.Signal(os.Interrupt)
	select {
	case err := <-e.childDone:
		if err != nil {
			t.Fatalf("exit on Ctrl+C: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not end on Ctrl+C")
	}
}

// With a session bus but no panel, the tray waits for one through its
// grace period, then says so once, translated, by notification.
func TestEndToEndNoPanel(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: waits for the tray's grace period")
	}
	e := newE2E(t, t.TempDir())
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	if err := os.WriteFile(e.cfgPath, []byte("language = \"fr\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.bus = traytest.StartBus(t)
	var err error
	if e.notes, err = traytest.NewNotifyServer(e.bus); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.notes.Close)
	e.startApp()
	said := func(r traytest.Received) bool { return strings.Contains(r.Body, "Pas encore de zone de notification") }
	if _, err := e.notes.WaitFor(e.ctx(40*time.Second), said); err != nil {
		t.Fatalf("no translated notification without a panel: %v; got %+v", err, e.notes.Notifications())
	}
	n := 0
	for _, r := range e.notes.Notifications() {
		if said(r) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("told %d times", n)
	}
	_ = e.child.Process.Signal(syscall.SIGTERM)
	if err := <-e.childDone; err != nil {
		t.Fatalf("app exit on SIGTERM: %v", err)
	}
}

// TestEndToEndRefusedStateFolder: a state folder that is a planted link (or
// another user's) is refused; the tray still runs, from memory, says so once,
// and writes nothing through the link nor into its working folder.
func TestEndToEndRefusedStateFolder(t *testing.T) {
	e := newE2E(t, t.TempDir())
	target := filepath.Join(e.dir, "elsewhere")
	if err := os.MkdirAll(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, e.state); err != nil {
		t.Fatal(err)
	}
	e.cfgPath = filepath.Join(e.dir, "config.toml")
	cfg := fmt.Sprintf("keystore_dir = '%s'\n[[provider]]\nname = \"Vincent\"\nniss = \"79021802145\"\ninami = \"5/38861/71/521\"\nquality = \"physiotherapist\"\n[etk]\nurl = 'https://127.0.0.1:1/EtkDepot/v1'\n", e.ksDir)
	if err := os.WriteFile(e.cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	e.desktop()
	e.startApp()
	e.props("the tray registered", func(traytest.Props) bool { return true })
	said := func(r traytest.Received) bool { return strings.Contains(r.Summary, "cannot save its state") }
	if _, err := e.notes.WaitFor(e.ctx(15*time.Second), said); err != nil {
		t.Fatalf("the refused folder was not said: %v; got %+v", err, e.notes.Notifications())
	}
	_ = e.child.Process.Signal(syscall.SIGTERM)
	if err := <-e.childDone; err != nil {
		t.Fatalf("app exit on SIGTERM: %v", err)
	}
	for _, dir := range []string{target, wd} {
		for _, name := range []string{"certificates.json", "reminders.json", "session.json", "etk.json", "ehealth-tray.log", "instance.lock"} {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s written in %s", name, dir)
			}
		}
	}
	n := 0
	for _, r := range e.notes.Notifications() {
		if said(r) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("said %d times, want once", n)
	}
}
