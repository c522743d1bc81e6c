package cert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/errkind"
)

func local(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.Local)
}

func TestParseName(t *testing.T) {
	created := local(2024, 11, 28, 14, 30, 5)
	tests := []struct {
		name string
		want File // zero: not a keystore name
	}{
		{"SSIN=79021802145 20241128-143005.p12", File{SSIN: "79021802145", Environment: Production, Created: created}},
		{"SSIN=79021802145-20241128-143005.p12", File{SSIN: "79021802145", Environment: Production, Created: created}},
		{"SSIN=79021802145 20241128-143005.acc-p12", File{SSIN: "79021802145", Environment: Acceptance, Created: created}},
		{"SSIN=79021802145 20241128-143005.acc.p12", File{SSIN: "79021802145", Environment: Acceptance, Created: created}},
		{"ssin=79021802145 20241128-143005.P12", File{SSIN: "79021802145", Environment: Production, Created: created}},
		{"Ssin=79021802145-20241128-143005.ACC-P12", File{SSIN: "79021802145", Environment: Acceptance, Created: created}},
		{"SSIN=79021802145 20241128-143005.Acc.P12", File{SSIN: "79021802145", Environment: Acceptance, Created: created}},

		{"SSIN=79021802145 20241128-143005.p12.part", File{}},
		{"SSIN=79021802145 20241128-143005.pfx", File{}},
		{"SSIN=79021802145 20241128-143005.acc_p12", File{}},
		{"SSIN=7902180214 20241128-143005.p12", File{}},   // 10 digits
		{"SSIN=790218021456 20241128-143005.p12", File{}}, // 12 digits
		{"SSIN=7902180214x 20241128-143005.p12", File{}},  // letter
		{"SSIN=79021802145_20241128-143005.p12", File{}},  // separator
		{"SSIN=79021802145  20241128-143005.p12", File{}}, // two spaces
		{"SSIN=79021802145 20241328-143005.p12", File{}},  // month 13
		{"SSIN=79021802145 20240230-143005.p12", File{}},  // 30 February
		{"SSIN=79021802145 20241128-243005.p12", File{}},  // hour 24
		{"SSIN=79021802145 20241128 143005.p12", File{}},  // no dash in stamp
		{"SSIN=79021802145 +0241128-143005.p12", File{}},  // sign in year
		{"SSIN=79021802145 20241128-14300.p12", File{}},   // short time
		{"SSN=79021802145 20241128-143005.p12", File{}},   // prefix
		{"79021802145 20241128-143005.p12", File{}},       // no prefix
		{"backup SSIN=79021802145 20241128-143005.p12", File{}},
		{".p12", File{}},
		{"", File{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseName(tt.name)
			if wantOK := tt.want != (File{}); ok != wantOK {
				t.Fatalf("ParseName ok = %v, want %v (got %+v)", ok, wantOK, got)
			}
			if !ok {
				return
			}
			if got.SSIN != tt.want.SSIN || got.Environment != tt.want.Environment ||
				!got.Created.Equal(tt.want.Created) || got.Path != "" || got.Newest {
				t.Errorf("ParseName = %+v, want %+v", got, tt.want)
			}
			if got.Created.Location() != time.Local {
				t.Errorf("Created in %v, want local time", got.Created.Location())
			}
		})
	}
}

func touch(t testing.TB, dir, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		// two renewals of one production keystore, out of order
		"SSIN=79021802145 20241128-143005.p12",
		"SSIN=79021802145 20210301-090000.p12",
		"SSIN=79021802145-20230115-120000.P12",
		// the same SSIN in acceptance: its own newest
		"SSIN=79021802145 20220101-000000.acc-p12",
		"SSIN=79021802145 20250101-000000.acc.p12",
		// another person
		"SSIN=75031712390 20200101-000000.p12",
		// ignored
		"notes.txt",
		"SSIN=79021802145 20991231-235959.p12.bak",
		"keystore.p12",
	} {
		touch(t, dir, name)
	}
	// A folder named like a keystore is not one.
	if err := os.Mkdir(filepath.Join(dir, "SSIN=79021802145 20991231-235959.p12"), 0o700); err != nil {
		t.Fatal(err)
	}

	got, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		ssin   string
		env    string
		newest bool
	}{
		{"SSIN=75031712390 20200101-000000.p12", "75031712390", Production, true},
		{"SSIN=79021802145 20220101-000000.acc-p12", "79021802145", Acceptance, false},
		{"SSIN=79021802145 20250101-000000.acc.p12", "79021802145", Acceptance, true},
		{"SSIN=79021802145 20210301-090000.p12", "79021802145", Production, false},
		{"SSIN=79021802145-20230115-120000.P12", "79021802145", Production, false},
		{"SSIN=79021802145 20241128-143005.p12", "79021802145", Production, true},
	}
	if len(got) != len(want) {
		t.Fatalf("Discover found %d files, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Path != filepath.Join(dir, w.name) || g.SSIN != w.ssin || g.Environment != w.env || g.Newest != w.newest {
			t.Errorf("file %d = %+v, want %s (%s, %s, newest %v)", i, g, w.name, w.ssin, w.env, w.newest)
		}
	}
}

func TestDiscoverSameTimestampOneNewest(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "SSIN=79021802145 20241128-143005.p12")
	touch(t, dir, "SSIN=79021802145-20241128-143005.p12")
	got, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Newest || !got[1].Newest {
		t.Errorf("want exactly the last of two equal timestamps newest, got %+v", got)
	}
}

func TestDiscoverEmpty(t *testing.T) {
	got, err := Discover(t.TempDir())
	if err != nil || len(got) != 0 {
		t.Errorf("Discover(empty) = %v, %v; want no files, no error", got, err)
	}
}

func TestDiscoverMissingDir(t *testing.T) {
	_, err := Discover(filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
	if !errors.Is(err, ErrRead) {
		t.Errorf("err = %v, want ErrRead", err)
	}
	if k := errkind.Of(err); k != "read-error" {
		t.Errorf("kind = %q, want read-error", k)
	}
}

func TestDiscoverWritesNothing(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "SSIN=79021802145 20241128-143005.p12")
	before, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Discover(dir); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || len(entries) != 1 {
		t.Errorf("Discover changed the folder: mtime %v -> %v, %d entries", before.ModTime(), after.ModTime(), len(entries))
	}
}

// BenchmarkDiscover measures a folder of 2,000 keystores (goal: 20 ms or
// less per Discover).
func BenchmarkDiscover(b *testing.B) {
	dir := b.TempDir()
	start := local(2015, 1, 1, 0, 0, 0)
	for i := range 2000 {
		ssin := fmt.Sprintf("%011d", 79021802145+i%400)
		ext := []string{".p12", ".acc-p12", ".acc.p12", ".P12"}[i%4]
		touch(b, dir, "SSIN="+ssin+" "+start.Add(time.Duration(i)*time.Hour).Format(nameStamp)+ext)
	}
	b.ResetTimer()
	for b.Loop() {
		files, err := Discover(dir)
		if err != nil || len(files) != 2000 {
			b.Fatalf("Discover: %d files, %v", len(files), err)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{
		"SSIN=79021802145 20241128-143005.p12",
		"ssin=79021802145-20241128-143005.ACC-P12",
		"SSIN=79021802145 20241128-143005.acc.p12",
		"SSIN=79021802145 +0241128-143005.p12",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, ok := ParseName(name)
		if !ok {
			return
		}
		if len(got.SSIN) != 11 || !allDigits(got.SSIN) {
			t.Errorf("SSIN %q is not 11 digits", got.SSIN)
		}
		if got.Environment != Production && got.Environment != Acceptance {
			t.Errorf("environment %q", got.Environment)
		}
		if got.SSIN != name[len("SSIN="):][:11] {
			t.Errorf("SSIN %q is not the one in %q", got.SSIN, name)
		}
		for _, variant := range []string{strings.ToUpper(name), strings.ToLower(name)} {
			if v, ok := ParseName(variant); !ok || v != got {
				t.Errorf("ParseName(%q) = %+v, %v; want %+v as for %q", variant, v, ok, got, name)
			}
		}
	})
}
