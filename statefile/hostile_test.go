//go:build unix

package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ehealth-tray/errkind"
	"ehealth-tray/safefile"
	"ehealth-tray/safefile/hostiletest"
)

func assertDirError(t *testing.T, err error, reason string) {
	t.Helper()
	var de *DirError
	if !errors.As(err, &de) || de.Reason != reason || errkind.Of(err) != "state-folder-refused" {
		t.Fatalf("want a *DirError %s, got %v", reason, err)
	}
}

// TestPrepareDirTightens: a 0777 state folder stayed 0777 (issue 14 §3).
func TestPrepareDirTightens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := PrepareDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("state folder left %v", fi.Mode().Perm())
	}
	fresh := filepath.Join(t.TempDir(), "a", "b")
	if err := PrepareDir(fresh); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o700 {
		t.Fatalf("new state folder is %v", fi.Mode().Perm())
	}
}

// TestRefusesForeignFolder: a state folder that another user created first
// (the shared $TMPDIR fallback) was used silently (issue 14 §1, §3). Nothing
// may be written, read or removed there.
func TestRefusesForeignFolder(t *testing.T) {
	shared := hostiletest.SharedDir(t)
	victim := filepath.Join(t.TempDir(), "id_rsa")
	if err := os.WriteFile(victim, []byte("PRIVATE KEY"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(shared, "ehealth-tray-state")
	hostiletest.AsOther(t, "mkdir -m 0777 "+dir+" && ln -s "+victim+" "+dir+"/session.json && echo '[]' > "+dir+"/certificates.json && chmod 600 "+dir+"/certificates.json")
	assertDirError(t, PrepareDir(dir), ReasonOtherOwner)
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o777 {
		t.Fatalf("someone else's folder was changed to %v", fi.Mode().Perm())
	}
	assertDirError(t, WriteAtomic(filepath.Join(dir, "reminders.json"), []byte("{}")), ReasonOtherOwner)
	assertDirError(t, Remove(filepath.Join(dir, "session.json")), ReasonOtherOwner)
	var v any
	assertDirError(t, ReadJSON(filepath.Join(dir, "certificates.json"), &v), ReasonOtherOwner)
	if _, err := os.Lstat(filepath.Join(dir, "reminders.json")); !os.IsNotExist(err) {
		t.Fatal("a state file was written in someone else's folder")
	}
	if data, _ := os.ReadFile(victim); string(data) != "PRIVATE KEY" {
		t.Fatalf("the link's target was changed: %q", data)
	}
}

// TestRefusesSymlinkFolder: a state folder that is a symlink is not used,
// nor tightened through the link.
func TestRefusesSymlinkFolder(t *testing.T) {
	target := t.TempDir()
	if err := os.Chmod(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "state")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	assertDirError(t, PrepareDir(link), ReasonSymlink)
	assertDirError(t, WriteAtomic(filepath.Join(link, "x.json"), []byte("{}")), ReasonSymlink)
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o755 {
		t.Fatalf("the link's target was changed to %v", fi.Mode().Perm())
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	assertDirError(t, PrepareDir(file), ReasonNotFolder)
}

// TestSymlinkedStateFile: a state file replaced by a link to another file is
// never written, read or removed through it.
func TestSymlinkedStateFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "profile")
	if err := os.WriteFile(victim, []byte("export PATH"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "reminders.json")
	if err := os.Symlink(victim, p); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := ReadJSON(p, &v); !safefile.IsNotRegular(err) {
		t.Fatalf("read through a symlink: %v", err)
	}
	if err := Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, p); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(p, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the link was not replaced by a file: %v", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "export PATH" {
		t.Fatalf("the link's target was changed: %q", data)
	}
}

// TestCapsAndFIFO: certificates.json as /dev/zero-like sparse file or as a
// FIFO neither grows memory nor hangs (issue 14 §5).
func TestCapsAndFIFO(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "certificates.json")
	f, err := os.OpenFile(big, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	var v any
	var tl *safefile.TooLargeError
	if err := ReadJSON(big, &v); !errors.As(err, &tl) {
		t.Fatalf("want too-large, got %v", err)
	}
	fifo := filepath.Join(dir, "reminders.json")
	hostiletest.FIFO(t, fifo)
	if err := ReadJSON(fifo, &v); !safefile.IsNotRegular(err) {
		t.Fatalf("want not-regular-file, got %v", err)
	}
}

// TestRemoveNeverTruncates: in a read-only state folder, removing
// session.json fell back to truncating it, through a symlink when there was
// one (~/.profile emptied, issue 14 §1). It runs as a normal user, for whom
// the folder's mode counts.
func TestRemoveNeverTruncates(t *testing.T) {
	if !hostiletest.InOtherUser(t) {
		return
	}
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "profile")
	if err := os.WriteFile(victim, []byte("export PATH"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "session.json")
	if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "reminders.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	hostiletest.ReadOnly(t, dir)
	if err := Remove(p); err == nil {
		t.Fatal("removing from a read-only folder must fail")
	}
	if err := Remove(link); err == nil {
		t.Fatal("removing from a read-only folder must fail")
	}
	if data, _ := os.ReadFile(p); string(data) != "{}" {
		t.Fatalf("session.json was changed: %q", data)
	}
	if data, _ := os.ReadFile(victim); string(data) != "export PATH" {
		t.Fatalf("the link's target was changed: %q", data)
	}
}
