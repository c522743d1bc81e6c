package demo

// The renewal story, in about two minutes: a renewed keystore appears; once
// a session is opened with it, the depot keeps the old ETK for ETKDelay, as
// eHealth does until the practitioner activates the renewal ETK, then
// publishes the new one. The tray sees "not activated", then "ok".

import (
	"context"
	"log/slog"
	"time"
)

// ETKDelay is how long the depot keeps the old ETK after the renewed
// keystore's first session: the practitioner's activation, made quick.
const ETKDelay = 60 * time.Second

// The story's news, as Run logs it.
const (
	logRenewedWritten = "demo: a renewed certificate was written, as the eHealth Certificate Manager would; use it and open a session with it"
	logRenewedUsed    = "demo: a session was opened with the renewed certificate; the depot keeps the old ETK a while, as eHealth does until you activate the new one"
)

// Run plays the story in real time, saying each step in log: after
// renewAfter it drops the renewed keystore, then waits for its first session
// and tells when the depot publishes its ETK. It returns when ctx is done or
// the story is told.
func (w *World) Run(ctx context.Context, log *slog.Logger, renewAfter time.Duration) {
	if !wait(ctx, renewAfter) {
		return
	}
	path, err := w.DropRenewed()
	if err != nil {
		log.Error("demo: renewed certificate not written", "err", err)
		return
	}
	log.Info(logRenewedWritten, "file", path)
	select {
	case <-ctx.Done():
		return
	case <-w.used:
	}
	if err := w.publishError(); err != nil {
		log.Error("demo: the renewed ETK cannot be published", "err", err)
		return
	}
	log.Info(logRenewedUsed, "for", ETKDelay)
	if !wait(ctx, ETKDelay) {
		return
	}
	log.Info("demo: the depot now publishes the renewed ETK, as eHealth does once you activate it")
}

// noticeUse runs after each STS request: the first session opened with the
// renewed keystore (its certificate is the holder-of-key) schedules its ETK
// ETKDelay later.
func (w *World) noticeUse() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.renewed == nil || !w.usedAt.IsZero() {
		return
	}
	for _, r := range w.STS.Requests() {
		if r.Err == nil && r.HolderOfKey != nil && r.HolderOfKey.Equal(w.renewed.AuthCert) {
			w.usedAt = w.now()
			w.publishErr = w.Depot.PublishAt(w.usedAt.Add(ETKDelay), NISS, "", w.renewed.EncCerts[0], w.renewed.AuthCert, w.ca.Cert)
			close(w.used)
			return
		}
	}
}

func (w *World) publishError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.publishErr
}

// wait waits d, or less if ctx is done first; it says whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
