package cert

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// File is a keystore file found by its name. Nothing in it has been read.
type File struct {
	Path        string
	SSIN        string
	Environment string // Production or Acceptance
	Created     time.Time
	// Newest is set on the file with the latest Created for its SSIN and
	// Environment: after a renewal the folder holds the old file too.
	Newest bool
}

// nameStamp is the layout of the timestamp in keystore file names.
const nameStamp = "20060102-150405"

// keystoreSuffixes maps each file-name suffix to its environment. The
// acceptance ones come first because ".acc.p12" also ends in ".p12".
var keystoreSuffixes = []struct{ suffix, env string }{
	{".acc-p12", Acceptance},
	{".acc.p12", Acceptance},
	{".p12", Production},
}

// suffixEnvironment returns the environment a file name's suffix stands for
// and the name without it.
func suffixEnvironment(name string) (env, stem string, ok bool) {
	for _, s := range keystoreSuffixes {
		n := len(name) - len(s.suffix)
		if n >= 0 && strings.EqualFold(name[n:], s.suffix) {
			return s.env, name[:n], true
		}
	}
	return "", "", false
}

// ParseName reads a keystore base name of the form
// "SSIN=<11 digits> <yyyyMMdd-HHmmss>.p12" (".acc-p12" or ".acc.p12" for
// acceptance, "-" instead of the space also accepted), case-insensitively.
// The timestamp is local time. Path is left empty.
func ParseName(name string) (File, bool) {
	env, stem, ok := suffixEnvironment(name)
	if !ok {
		return File{}, false
	}
	stem, ok = cutPrefixFold(stem, ssinPrefix)
	if !ok || len(stem) != 11+1+len(nameStamp) {
		return File{}, false
	}
	ssin, sep, stamp := stem[:11], stem[11], stem[12:]
	// time.Parse would take a sign in the year, so the digits are checked first.
	if !allDigits(ssin) || (sep != ' ' && sep != '-') ||
		!allDigits(stamp[:8]) || stamp[8] != '-' || !allDigits(stamp[9:]) {
		return File{}, false
	}
	created, err := time.ParseInLocation(nameStamp, stamp, time.Local)
	if err != nil {
		return File{}, false
	}
	return File{SSIN: ssin, Environment: env, Created: created}, true
}

// Discover lists the keystore files in dir by name, sorted by SSIN,
// environment and creation time, and marks the newest of each SSIN and
// environment. Other files are ignored. It neither opens nor writes any file.
// A missing dir gives an error wrapping fs.ErrNotExist.
func Discover(dir string) ([]File, error) {
	// os.ReadDir takes file types from the directory itself: no stat per file.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("keystore folder: %w: %w", ErrRead, err)
	}
	var files []File
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if f, ok := ParseName(e.Name()); ok {
			f.Path = filepath.Join(dir, e.Name())
			files = append(files, f)
		}
	}
	slices.SortFunc(files, func(a, b File) int {
		return cmp.Or(
			cmp.Compare(a.SSIN, b.SSIN),
			cmp.Compare(a.Environment, b.Environment),
			a.Created.Compare(b.Created),
			cmp.Compare(a.Path, b.Path), // same timestamp, "-" and " " forms: stay deterministic
		)
	})
	for i := range files {
		last := i == len(files)-1
		files[i].Newest = last || files[i+1].SSIN != files[i].SSIN || files[i+1].Environment != files[i].Environment
	}
	return files, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
