package tray

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/systray"

	"ehealth-tray/icons"
	"ehealth-tray/wintest"
)

// TestWinIconFilesRemoved: the files fyne.io/systray writes to %TEMP% for the
// icons shown are removed at exit, and only those.
func TestWinIconFilesRemoved(t *testing.T) {
	tmp := wintest.TempDir(t)
	t.Setenv("TMP", tmp)
	t.Setenv("TEMP", tmp)
	other := filepath.Join(tmp, "systray_temp_icon_0123456789abcdef")
	if err := os.WriteFile(other, []byte("another program's icon"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The tray is not running: SetIcon writes the file, then says so in the log.
	for _, k := range []icons.Kind{icons.KindNone, icons.KindActive, icons.KindNone} {
		systray.SetIcon(iconBytes(k))
	}
	written, _ := filepath.Glob(filepath.Join(tmp, "systray_temp_icon_*"))
	if len(written) != 3 {
		t.Fatalf("systray wrote %v: its file names changed, see iconFile", written)
	}
	if err := removeIconFiles(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "systray_temp_icon_*"))
	if len(left) != 1 || left[0] != other {
		t.Fatalf("left: %v", left)
	}
}
