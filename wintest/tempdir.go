package wintest

import (
	"os"
	"path/filepath"
	"testing"
)

// TempDir is t.TempDir for the Windows unit tests run under Wine: a new
// folder, emptied and removed when the test ends. t.TempDir's cleanup fails
// there: Go's os.RemoveAll uses a call Wine 8 lacks ("Invalid function"),
// os.Remove does not. The folder may hold files, not folders.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wintest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		names, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Error(err)
		}
		for _, n := range append(names, dir) {
			if err := os.Remove(n); err != nil {
				t.Error(err)
			}
		}
	})
	return dir
}
