//go:build linux

package tray

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"ehealth-tray/notify"
	"ehealth-tray/tray/traytest"
)

// The tray runs in a child process (fyne.io/systray has global state and
// runs once per process): this test binary, re-run with helperEnv set.
//
// The child reads JSON lines (helperMsg) on stdin, prints READY once the
// menu's click loops run, "CMD <kind> <index>" for every click,
// "NOTIFIED <error or ok>" after each notification, and exits at EOF.
const (
	helperEnv = "EHEALTH_TRAY_TEST_HELPER"
	// helperSharedBus makes the child listen for notification signals on
	// systray's shared connection, as a notification library using
	// dbus.SessionBus() does: the setup of fyne-io/systray#131.
	helperSharedBus = "EHEALTH_TRAY_TEST_SHARED_BUS"
)

type helperMsg struct {
	State  *State               `json:",omitempty"`
	Notify *notify.Notification `json:",omitempty"`
}

func TestHelperTray(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return // only a child process started by startTray runs the tray
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var outMu sync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	if os.Getenv(helperSharedBus) == "1" {
		conn, err := dbus.SessionBus()
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.Notifications")); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := make(chan State)
	cmds := make(chan Command)
	notifier := notify.New("ehealth-tray-test", log)
	go func() {
		defer cancel() // stdin closed: the parent is done
		dec := json.NewDecoder(os.Stdin)
		for {
			var m helperMsg
			if err := dec.Decode(&m); err != nil {
				if err != io.EOF {
					log.Error("bad helper input", "err", err)
				}
				return
			}
			if m.State != nil {
				select {
				case states <- *m.State:
				case <-ctx.Done():
					return
				}
			}
			if m.Notify != nil {
				result := "ok"
				if err := notifier.Notify(ctx, *m.Notify); err != nil {
					result = err.Error()
				}
				say("NOTIFIED %s", result)
			}
		}
	}()
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for c := range cmds {
			say("CMD %s %d", c.Kind, c.Index)
		}
	}()
	run(ctx, states, cmds, log, func() { say("READY") })
	close(cmds) // run sends nothing more once it has returned
	<-printed
	// Exit before the testing package fails this "test" for the data races
	// inside fyne.io/systray; the parent judges the race reports (ownRaces).
	os.Exit(0)
}

// child is a tray running in a child process.
type child struct {
	t      *testing.T
	in     *json.Encoder
	lines  chan string
	stderr *lockedBuffer
}

// startTray starts the tray child on the bus at addr, with extra environment.
func startTray(t *testing.T, addr string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTray$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "DBUS_SESSION_BUS_ADDRESS="+addr,
		"GORACE="+os.Getenv("GORACE")+" exitcode=0") // see ownRaces
	cmd.Env = append(cmd.Env, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		stdin.Close() // the child quits at EOF
		select {
		case err := <-exited:
			if err != nil { // a failed or racy child
				t.Errorf("tray child: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("tray child did not quit at EOF")
			cmd.Process.Kill()
			<-exited
		}
		if races := traytest.OwnRaces(stderr.String()); len(races) > 0 {
			t.Errorf("data races in the tray child:\n%s", strings.Join(races, "\n"))
		}
		if t.Failed() {
			t.Logf("tray child stderr:\n%s", stderr.String())
		}
	})
	c := &child{t: t, in: json.NewEncoder(stdin), lines: make(chan string, 100), stderr: stderr}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

func (c *child) send(m helperMsg) {
	c.t.Helper()
	if err := c.in.Encode(m); err != nil {
		c.t.Fatalf("writing to tray child: %v", err)
	}
}

func (c *child) state(s State) { c.t.Helper(); c.send(helperMsg{State: &s}) }

// next returns the child's next output line starting with prefix, skipping
// test framework lines such as "=== RUN".
func (c *child) next(ctx context.Context, prefix string) string {
	c.t.Helper()
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("tray child exited while waiting for %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-ctx.Done():
			c.t.Fatalf("no %q from the tray child: %v", prefix, ctx.Err())
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestOwnRaces(t *testing.T) {
	const upstream = `==================
WARNING: DATA RACE
Write at 0x00c000097230 by goroutine 26:
  reflect.typedmemmove()
      /usr/local/go/src/runtime/mbarrier.go:213 +0x0
  github.com/godbus/dbus/v5.setDest()
      /root/go/pkg/mod/github.com/godbus/dbus/v5@v5.2.4/dbus.go:98 +0x593
  ehealth-tray/tray.(*view).render()
      /work/main/tray/tray.go:210 +0x129

Previous read at 0x00c000097230 by goroutine 40:
  reflect.Value.Int()
      /usr/local/go/src/reflect/value.go:1442 +0x1
  github.com/godbus/dbus/v5.(*encoder).encode()
      /root/go/pkg/mod/github.com/godbus/dbus/v5@v5.2.4/encoder.go:99 +0x9f2

Goroutine 26 (running) created at:
  ehealth-tray/tray.run()
      /work/main/tray/tray.go:120 +0x1
==================
`
	ours := strings.Replace(upstream, "  github.com/godbus/dbus/v5.setDest()", "  ehealth-tray/tray.(*entry).apply()", 1)
	if got := traytest.OwnRaces("log line\n" + upstream); len(got) != 0 {
		t.Errorf("upstream race reported as ours: %q", got)
	}
	if got := traytest.OwnRaces(upstream + ours); len(got) != 1 || !strings.Contains(got[0], "(*entry).apply") {
		t.Errorf("own race not found: %q", got)
	}
}
