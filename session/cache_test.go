package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ehealth-tray/internal/clock/clocktest"
	"ehealth-tray/logging/logtest"
)

// neverOpen is an OpenFunc for Managers that must restore from the cache.
func neverOpen(t *testing.T) OpenFunc {
	return func(context.Context, Method) (*Assertion, error) {
		t.Error("Open called")
		return nil, errors.New("unexpected Open")
	}
}

// cachedSession starts a session with a Manager caching it at path.
func cachedSession(t *testing.T, clk *clocktest.Clock, path, key string) *Manager {
	t.Helper()
	m := NewManager(ManagerOptions{Logger: quiet, Open: issuing(clk, validity).Open, Clock: clk, CachePath: path, CacheKey: key})
	if err := m.Start(context.Background(), MethodEID); err != nil {
		t.Fatal(err)
	}
	return m
}

func assertNoFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s still there (%v)", path, err)
	}
}

func TestCacheSurvivesRestart(t *testing.T) {
	clk := clocktest.New(t0)
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "session.json")
	first := cachedSession(t, clk, path, "ks-a|85073003328")

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("state dir: %v %v, want mode 0700", di.Mode().Perm(), err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk map[string]any
	if err := json.Unmarshal(data, &onDisk); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"key", "method", "assertion_id", "not_before", "not_on_or_after", "attributes", "raw"} {
		if _, ok := onDisk[k]; !ok {
			t.Errorf("cache lacks %q: %s", k, data)
		}
	}
	want := first.Assertion()
	if raw, _ := onDisk["raw"].(string); raw != base64.StdEncoding.EncodeToString(want.Raw) {
		t.Errorf("raw %q is not the base64 assertion", raw)
	}

	clk.Set(t0.Add(time.Hour))
	m := NewManager(ManagerOptions{Logger: quiet, Open: neverOpen(t), Clock: clk, CachePath: path, CacheKey: "ks-a|85073003328"})
	s := m.Snapshot()
	if s.State != StateActive || s.AssertionID != want.ID || s.Method != MethodEID ||
		!s.NotOnOrAfter.Equal(want.NotOnOrAfter) || !s.NotBefore.Equal(want.NotBefore) ||
		s.Attributes["urn:be:fgov:person:ssin"] != "85073003328" {
		t.Fatalf("restored snapshot: %+v", s)
	}
	if a := m.Assertion(); a == nil || !bytes.Equal(a.Raw, want.Raw) || a.Issuer != want.Issuer {
		t.Fatalf("restored assertion: %+v", a)
	}
}

func TestCacheWriteReplacesByRename(t *testing.T) {
	clk := clocktest.New(t0)
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	m := cachedSession(t, clk, path, "k")
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background(), MethodEID); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Fatal("the cache was rewritten in place, not replaced by a rename")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("state dir holds %d files, want only the cache", len(entries))
	}
}

func TestCacheDiscarded(t *testing.T) {
	tests := []struct {
		name string
		// spoil changes the cache written for key "k" at t0.
		spoil func(t *testing.T, clk *clocktest.Clock, path string)
		key   string
	}{
		{"other key", func(*testing.T, *clocktest.Clock, string) {}, "other"},
		{"expired", func(_ *testing.T, clk *clocktest.Clock, _ string) { clk.Set(t0.Add(validity)) }, "k"},
		{"corrupt", func(t *testing.T, _ *clocktest.Clock, path string) {
			if err := os.WriteFile(path, []byte(`{"key":"k","method":"eid","assertion_id":"_a1","raw":`), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "k"},
		{"empty", func(t *testing.T, _ *clocktest.Clock, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktest.New(t0)
			path := filepath.Join(t.TempDir(), "session.json")
			cachedSession(t, clk, path, "k")
			tt.spoil(t, clk, path)
			m := NewManager(ManagerOptions{Logger: quiet, Open: neverOpen(t), Clock: clk, CachePath: path, CacheKey: tt.key})
			if s := m.Snapshot(); s.State != StateNone || m.Assertion() != nil {
				t.Fatalf("state %s, want none", s.State)
			}
			assertNoFile(t, path)
		})
	}
}

func TestCacheLeftoverTempIgnored(t *testing.T) {
	clk := clocktest.New(t0)
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	cachedSession(t, clk, path, "k")
	// A writer killed before its rename leaves a complete temp file and no
	// cache: it must not be taken for a session.
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".tmp-4242")
	if err := os.Rename(path, tmp); err != nil {
		t.Fatal(err)
	}
	m := NewManager(ManagerOptions{Logger: quiet, Open: neverOpen(t), Clock: clk, CachePath: path, CacheKey: "k"})
	if s := m.Snapshot(); s.State != StateNone {
		t.Fatalf("state %s from a temp file, want none", s.State)
	}
	assertNoFile(t, tmp)
}

func TestCacheRefusedWhenNotPrivate(t *testing.T) {
	tests := []struct {
		name  string
		apply func(path string) error
	}{
		{"mode 0644", func(path string) error { return os.Chmod(path, 0o644) }},
		{"mode 0660", func(path string) error { return os.Chmod(path, 0o660) }},
		{"other owner", func(path string) error {
			if os.Getuid() != 0 {
				return errors.ErrUnsupported
			}
			return os.Chown(path, 65534, 65534)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktest.New(t0)
			path := filepath.Join(t.TempDir(), "session.json")
			cachedSession(t, clk, path, "k")
			if err := tt.apply(path); errors.Is(err, errors.ErrUnsupported) {
				t.Skip("giving a file to another user needs root")
			} else if err != nil {
				t.Fatal(err)
			}
			logs := logtest.New()
			m := NewManager(ManagerOptions{Open: neverOpen(t), Clock: clk, CachePath: path, CacheKey: "k", Logger: logs.Logger()})
			if s := m.Snapshot(); s.State != StateNone || m.Assertion() != nil {
				t.Fatalf("state %s from a cache that is not private, want none", s.State)
			}
			if n := logs.Count("refusing session cache"); n != 1 {
				t.Fatalf("%d refusal warnings, want 1:\n%s", n, logs)
			}
		})
	}
}

func TestCacheRefusesNonRegularFile(t *testing.T) {
	clk := clocktest.New(t0)
	path := filepath.Join(t.TempDir(), "session.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	m := NewManager(ManagerOptions{Logger: quiet, Open: neverOpen(t), Clock: clk, CachePath: path, CacheKey: "k"})
	if s := m.Snapshot(); s.State != StateNone {
		t.Fatalf("state %s, want none", s.State)
	}
}

func TestStopDeletesCache(t *testing.T) {
	clk := clocktest.New(t0)
	path := filepath.Join(t.TempDir(), "session.json")
	m := cachedSession(t, clk, path, "k")
	m.Stop()
	if s := m.Snapshot(); s.State != StateNone {
		t.Fatalf("state %s after Stop", s.State)
	}
	assertNoFile(t, path)
	m.Stop() // stopping twice is harmless
}

func TestUnwritableStateDirKeepsSessionInMemory(t *testing.T) {
	clk := clocktest.New(t0)
	// A state "dir" that is a file: nothing can be created in it, even by root.
	blocker := filepath.Join(t.TempDir(), "state")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	logs := logtest.New()
	m := NewManager(ManagerOptions{
		Open: issuing(clk, validity).Open, Clock: clk, Logger: logs.Logger(),
		CachePath: filepath.Join(blocker, "session.json"), CacheKey: "k",
	})
	for range 2 {
		if err := m.Start(context.Background(), MethodEID); err != nil {
			t.Fatalf("Start with an unwritable state dir: %v", err)
		}
		if s := m.Snapshot(); s.State != StateActive || m.Assertion() == nil {
			t.Fatalf("state %s, want active in memory", s.State)
		}
	}
	m.Stop()
	if n := logs.Count("cannot write the session cache; the session is kept in memory only"); n != 1 {
		t.Fatalf("%d cache warnings, want 1:\n%s", n, logs)
	}
}
