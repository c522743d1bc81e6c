// Package traytest stands in for the desktop around the tray, on a private
// D-Bus session bus: a StatusNotifierWatcher that reads the item's icon,
// tooltip and menu and clicks it, and a notification server that records
// what it is sent. It is used by the tray and notify tests and by the app's
// end-to-end test.
//
// A typical test:
//
//	addr := traytest.StartBus(t)          // also sets DBUS_SESSION_BUS_ADDRESS
//	ns, _ := traytest.NewNotifyServer(addr)
//	w, _ := traytest.NewWatcher(addr)
//	// start the tray in a child process with the same environment
//	sender, _ := w.WaitItem(ctx)
package traytest

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// busConfig is a session bus without service directories, so nothing on
// this machine (dunst, a notification daemon) is ever auto-started on it.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a private dbus-daemon for the test, stopped at cleanup,
// and points DBUS_SESSION_BUS_ADDRESS at it (t.Setenv: not for parallel
// tests), so that nothing in the test can reach the real session bus. It
// returns the bus address. It skips the test when dbus-daemon is missing.
func StartBus(t testing.TB) (addr string) {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not installed (Debian package dbus-daemon)")
	}
	// Not t.TempDir: a unix socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "dbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var sock bytes.Buffer
	if err := xml.EscapeText(&sock, []byte(filepath.Join(dir, "bus"))); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, sock.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr = <-line:
	case <-time.After(10 * time.Second):
	}
	if addr == "" {
		t.Fatalf("dbus-daemon printed no address: %s", stderr.String())
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// own requests name for conn, failing unless conn is its primary owner.
func own(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return err
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("%s is already owned on this bus", name)
	}
	return nil
}
