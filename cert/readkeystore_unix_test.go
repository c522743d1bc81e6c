//go:build unix

package cert

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ehealth-tray/errkind"
	"ehealth-tray/safefile/hostiletest"
)

// TestOpenFIFOKeystoreNoHang: a FIFO named like the newest keystore hung
// check, session start and cert inspect (issue 14 §5). It is refused at
// once, also behind a symlink, with its own kind.
func TestOpenFIFOKeystoreNoHang(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "SSIN=79021802145 20991231-000000.p12")
	hostiletest.FIFO(t, fifo)
	link := filepath.Join(dir, "current.p12")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link, "/dev/zero"} {
		_, err := Open(p, []byte("x"))
		if !errors.Is(err, ErrRead) || errkind.Of(err) != "not-regular-file" {
			t.Errorf("%s: %v (kind %q), want not-regular-file", p, err, errkind.Of(err))
		}
	}
}
