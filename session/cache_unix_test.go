//go:build unix

package session

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"ehealth-tray/internal/clock/clocktest"
	"ehealth-tray/logging/logtest"
	"ehealth-tray/safefile/hostiletest"
)

// TestCacheFIFONoHang: a FIFO named session.json hung the Manager at start
// (os.Open waits for a writer). It is refused at once.
func TestCacheFIFONoHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	hostiletest.FIFO(t, path)
	logs := logtest.New()
	m := NewManager(ManagerOptions{Open: neverOpen(t), Clock: clocktest.New(t0), CachePath: path, CacheKey: "k", Logger: logs.Logger()})
	if s := m.Snapshot(); s.State != StateNone {
		t.Fatalf("state %s, want none", s.State)
	}
	if n := logs.Count("refusing session cache"); n != 1 {
		t.Fatalf("%d refusals, want 1:\n%s", n, logs)
	}
}

// TestStopNeverTruncates: when session.json could not be removed (a
// read-only state folder), it was truncated instead, through a planted
// symlink: ~/.profile emptied at shutdown (issue 14 §1). The Manager runs as
// a normal user, for whom the folder's mode counts.
func TestStopNeverTruncates(t *testing.T) {
	if !hostiletest.InOtherUser(t) {
		return
	}
	clk := clocktest.New(t0)
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	m := cachedSession(t, clk, path, "k")
	victim := filepath.Join(t.TempDir(), ".profile")
	if err := os.WriteFile(victim, []byte("export PATH"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	hostiletest.ReadOnly(t, dir)
	m.Stop()
	if data, _ := os.ReadFile(victim); string(data) != "export PATH" {
		t.Fatalf("Stop changed the link's target: %q", data)
	}
}

// TestForeignStateFolderUntouched: a state folder owned by someone else,
// holding a session.json symlink to the user's key, emptied ~/.ssh/id_rsa
// (issue 14 §1). The folder is refused: nothing read, written or removed.
func TestForeignStateFolderUntouched(t *testing.T) {
	if hostiletest.IsChild(t.Name()) {
		path, victim := os.Getenv("CACHE_PATH"), os.Getenv("VICTIM")
		clk := clocktest.New(t0)
		logs := logtest.New()
		m := NewManager(ManagerOptions{Open: issuing(clk, validity).Open, Clock: clk, CachePath: path, CacheKey: "k", Logger: logs.Logger()})
		if err := m.Start(context.Background(), MethodEID); err != nil {
			t.Fatal(err)
		}
		m.Stop()
		if data, _ := os.ReadFile(victim); string(data) != "PRIVATE KEY" {
			t.Fatalf("the user's key was changed: %q", data)
		}
		if n := logs.Count("refusing session cache"); n != 1 {
			t.Fatalf("%d refusals, want 1:\n%s", n, logs)
		}
		return
	}
	shared := hostiletest.SharedDir(t)
	victim := filepath.Join(shared, "id_rsa")
	if err := os.WriteFile(victim, []byte("PRIVATE KEY"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(victim, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	// The other user (here root) made the folder first, read-only to us.
	dir := filepath.Join(shared, "ehealth-tray-state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "session.json")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	hostiletest.AsOtherTest(t, t.Name(), "CACHE_PATH="+path, "VICTIM="+victim)
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the planted link was touched: %v", err)
	}
}
