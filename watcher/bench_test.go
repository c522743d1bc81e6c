package watcher_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ehealth-tray/watcher"
)

// startBench starts a watcher on dir for a benchmark; stop ends it.
func startBench(b *testing.B, dir string, settle time.Duration) (w *watcher.Watcher, stop func()) {
	b.Helper()
	w, err := watcher.New(watcher.Options{
		Dir:      dir,
		Settle:   settle,
		Match:    keystoreName.MatchString,
		Complete: (&probe{check: hasTrailer}).complete,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return w, func() {
		cancel()
		<-done
	}
}

func next(b *testing.B, w *watcher.Watcher, path string) {
	b.Helper()
	select {
	case ev := <-w.Events():
		if ev.Path != path {
			b.Fatalf("event for %s, want %s", ev.Path, path)
		}
	case <-time.After(eventTimeout):
		b.Fatalf("no event for %s", path)
	}
}

// BenchmarkEventLatency measures the time from a complete keystore landing in
// the folder (renamed into place) to its event, with the default Settle.
// Goal: ≤ 1.5 s. Run with -benchtime=10x; see the median-ms metric.
func BenchmarkEventLatency(b *testing.B) {
	dir := b.TempDir()
	w, stop := startBench(b, dir, 0)
	defer stop()
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		tmp, f := filepath.Join(dir, ".incoming"), filepath.Join(dir, name(i))
		if err := os.WriteFile(tmp, keystore(4096), 0o600); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := os.Rename(tmp, f); err != nil {
			b.Fatal(err)
		}
		next(b, w, f)
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "median-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
}

// BenchmarkStartScan measures a start (scan, watch, one keystore reported)
// with and without 2,000 unrelated files in the folder: their cost is the
// ratio of the two.
func BenchmarkStartScan(b *testing.B) {
	for _, unrelated := range []int{0, 2000} {
		b.Run(fmt.Sprintf("unrelated=%d", unrelated), func(b *testing.B) {
			dir := b.TempDir()
			for i := range unrelated {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("scan-%04d.pdf", i)), nil, 0o600); err != nil {
					b.Fatal(err)
				}
			}
			f := filepath.Join(dir, name(0))
			if err := os.WriteFile(f, keystore(4096), 0o600); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				// A tiny Settle: measure the scan, not the wait.
				w, stop := startBench(b, dir, time.Nanosecond)
				next(b, w, f)
				stop()
			}
		})
	}
}
