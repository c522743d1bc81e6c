package tray

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"ehealth-tray/icons"
)

// The ICO holds 16 to 64 px images; Windows picks the one for the DPI.
// fyne.io/systray loads an icon from a file it writes to %TEMP% (see
// iconFile), and leaves it there: each icon handed out is noted, so that
// removeIconFiles can delete its file at exit.
func iconBytes(k icons.Kind) []byte {
	b := icons.ICO(k)
	shownIcons.Lock()
	defer shownIcons.Unlock()
	if shownIcons.files == nil {
		shownIcons.files = map[string]bool{}
	}
	shownIcons.files[iconFile(b)] = true
	return b
}

var shownIcons struct {
	sync.Mutex
	files map[string]bool
}

// iconFile is where fyne.io/systray (v1.12, iconBytesToFilePath) writes an
// icon before loading it: %TEMP%\systray_temp_icon_<MD5 of the bytes>.
func iconFile(b []byte) string {
	sum := md5.Sum(b)
	return filepath.Join(os.TempDir(), "systray_temp_icon_"+hex.EncodeToString(sum[:]))
}

// removeIconFiles deletes the temporary icon files of the icons shown (once
// the tray is gone: Windows has loaded them). os.Remove removes a link, never
// what it points to.
func removeIconFiles() error {
	shownIcons.Lock()
	defer shownIcons.Unlock()
	var errs []error
	for f := range shownIcons.files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		delete(shownIcons.files, f)
	}
	return errors.Join(errs...)
}

// Windows menus show no item tooltips: the reason goes into the label.
const reasonInLabel = true

// menuLabel escapes the access-key mark "&".
func menuLabel(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// HostPresent reports whether a tray host is present: the taskbar always is.
func HostPresent(context.Context) bool { return true }

func probe(context.Context) (bus, host bool) { return true, true }
