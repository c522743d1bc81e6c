//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/safefile/hostiletest"
)

// TestConfigIsReadSafely: a FIFO or a device named as the settings is
// refused at once (never waited on), and a file over the cap is refused.
func TestConfigIsReadSafely(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	hostiletest.FIFO(t, fifo)
	// Nobody writes to the FIFO: reading it would block for ever.
	if _, _, err := LoadFlag(fifo); errkind.Of(err) != "not-regular-file" {
		t.Fatalf("FIFO: %v (kind %q)", err, errkind.Of(err))
	}
	if _, _, err := Load("/dev/zero"); errkind.Of(err) != "not-regular-file" {
		t.Fatalf("/dev/zero: %v", err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(big)
	if errkind.Of(err) != "too-large" || !strings.Contains(err.(interface {
		Localize(*i18n.Localizer) string
	}).Localize(nil), big) {
		t.Fatalf("big: %v", err)
	}
}
