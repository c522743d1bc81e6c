package statefile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"ehealth-tray/safefile/hostiletest"
)

type rec struct {
	N    int    `json:"n"`
	Body string `json:"body"`
}

func TestWriteReadModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	p := filepath.Join(dir, "x.json")
	if err := WriteJSON(p, rec{N: 1, Body: "a"}); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	dst, _ := os.Stat(dir)
	if runtime.GOOS != "windows" && (st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700) {
		t.Fatalf("modes file %v dir %v", st.Mode().Perm(), dst.Mode().Perm())
	}
	var r rec
	if err := ReadJSON(p, &r); err != nil || r.N != 1 {
		t.Fatalf("%v %+v", err, r)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReadJSON(p, &r); runtime.GOOS != "windows" && !errors.Is(err, ErrTooOpen) {
		t.Fatalf("a group-readable file must be refused, got %v", err)
	}
	if err := ReadJSON(filepath.Join(dir, "none.json"), &r); !IsNotExist(err) {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

// TestReadOnlyDirFails runs as a normal user, for whom the folder's mode
// counts (root writes anywhere).
func TestReadOnlyDirFails(t *testing.T) {
	if !hostiletest.InOtherUser(t) {
		return
	}
	dir := t.TempDir()
	hostiletest.ReadOnly(t, dir)
	if err := WriteAtomic(filepath.Join(dir, "x"), []byte("x")); err == nil {
		t.Fatal("want an error in a read-only dir")
	}
}

// TestKillDuringWrites kills a writer process at random moments: the file
// must always hold one complete version, old or new.
func TestKillDuringWrites(t *testing.T) {
	if os.Getenv("STATEFILE_WRITER") != "" {
		p := os.Getenv("STATEFILE_WRITER")
		big := make([]byte, 256<<10)
		for i := 0; ; i++ {
			for j := range big {
				big[j] = byte('a' + i%26)
			}
			if err := WriteJSON(p, rec{N: i, Body: string(big)}); err != nil {
				os.Exit(3)
			}
		}
	}
	p := filepath.Join(t.TempDir(), "ledger.json")
	if err := WriteJSON(p, rec{N: -1, Body: "seed"}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 15; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=TestKillDuringWrites")
		cmd.Env = append(os.Environ(), "STATEFILE_WRITER="+p)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The kill must land at a different moment of the writer's loop
		// each round: real time in another process, nothing to await.
		time.Sleep(time.Duration(20+round*7) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		var r rec
		if err := ReadJSON(p, &r); err != nil {
			t.Fatalf("round %d: torn file: %v", round, err)
		}
		if r.N >= 0 {
			want := byte('a' + r.N%26)
			for i := 0; i < len(r.Body); i++ {
				if r.Body[i] != want {
					t.Fatalf("round %d: mixed content in version %s", round, strconv.Itoa(r.N))
				}
			}
		}
	}
}
