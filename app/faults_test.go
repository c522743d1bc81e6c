package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/session"
	"ehealth-tray/sts"
	"ehealth-tray/sts/ststest"
	"ehealth-tray/tray"
)

// startWith runs the rig's core with a short STS timeout and short retries.
func (r *rig) startWith(timeout time.Duration) {
	r.cfg.STS.Timeout.Duration = timeout
	r.run(Options{RetryDelays: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}})
}

// TestCoreSTSFaultsMidSession: with a session active, every STS fault during
// a renewal says what happened, keeps the valid session green, and leaves
// the app working; nothing is retried beyond the short, asked-for retries.
func TestCoreSTSFaultsMidSession(t *testing.T) {
	r := newRig(t)
	r.useSTS(ststest.Options{NIHII: "53886171521", Delay: 10 * time.Second})
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.startWith(time.Second)
	defer r.stop()
	r.click(tray.CmdFallback)
	r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive && s.Fallback.Enabled })

	for _, tc := range []struct {
		fault    ststest.Fault
		code     string
		says     string
		attempts int
	}{
		{ststest.FaultHTTP503, "", "temporarily unavailable (HTTP 503)", 3},
		{ststest.FaultSOA, "SOA-02002", "SOA-02002", 3},
		{ststest.FaultSOA, "SOA-01001", "SOA-01001", 1},
		{ststest.FaultSlow, "", "did not answer in time", 1},
		{ststest.FaultMalformed, "", "answer cannot be used", 1},
		{ststest.FaultTruncated, "", "eHealth", 1},
		{ststest.FaultWrongInResponseTo, "", "answer cannot be used", 1},
	} {
		before := len(r.sts.Requests())
		r.sts.SetFault(tc.fault, tc.code, "")
		r.click(tray.CmdFallback)
		s := r.wait(string(tc.fault)+" reported", func(s tray.State) bool {
			if s.Icon != icons.KindActive {
				t.Fatalf("%s: the valid session stopped being green during the renewal: %+v", tc.fault, s)
			}
			// Enabled again: the menu takes clicks (a click while busy is dropped, as in the real menu).
			return strings.Contains(lines(s), "Renewal failed") && strings.Contains(lines(s), tc.says) && s.Fallback.Enabled
		})
		if s.Icon != icons.KindActive {
			t.Fatalf("%s: the still valid session is not green: %+v", tc.fault, s)
		}
		r.sts.SetFault(ststest.FaultNone, "", "")
		if n := len(r.sts.Requests()) - before; n != tc.attempts {
			t.Fatalf("%s: %d requests, want %d", tc.fault, n, tc.attempts)
		}
		// The status line changes with the next attempt, so the next case
		// cannot match this case's message.
		r.click(tray.CmdFallback)
		r.wait("renewed after "+string(tc.fault), func(s tray.State) bool {
			return !strings.Contains(lines(s), "Renewal failed") && s.Icon == icons.KindActive && s.Fallback.Enabled
		})
	}

	// STS down for good: said plainly, still green, the app keeps going.
	r.sts.Close()
	r.click(tray.CmdFallback)
	r.wait("down", func(s tray.State) bool { return strings.Contains(lines(s), "eHealth cannot be reached") })
	r.click(tray.CmdStop)
	r.wait("stopped", func(s tray.State) bool { return s.Icon == icons.KindNone })
}

// TestCoreUnknownCA: an STS whose TLS certificate is not trusted is refused
// (never skipped), once, with a plain message.
func TestCoreUnknownCA(t *testing.T) {
	r := newRig(t)
	tlsSTS, err := ststest.New(ststest.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsSTS.Close()
	r.cfg.STS.URL = tlsSTS.URL // no ca_file: its certificate is unknown
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.startWith(2 * time.Second)
	defer r.stop()
	r.click(tray.CmdFallback)
	s := r.wait("TLS refused", func(s tray.State) bool { return strings.Contains(lines(s), "is not trusted") })
	if s.Icon == icons.KindActive || len(tlsSTS.Requests()) != 0 {
		t.Fatalf("%+v; requests %d", s, len(tlsSTS.Requests()))
	}
	if !strings.Contains(lines(s), "certificate") {
		t.Fatalf("the message does not say it is the certificate: %q", lines(s))
	}
}

// TestOpenerRetriesOnlyTransientFaults: a 503 that clears is ridden out with
// the same signed request; each retry waits.
func TestOpenerRetriesOnlyTransientFaults(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	path := r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	op := &Opener{Config: &r.cfg, Provider: r.cfg.Providers[0], KeystorePath: path,
		Secrets: PromptSecrets{Prompter: r.prompter}, RetryDelays: []time.Duration{300 * time.Millisecond, 300 * time.Millisecond}}
	r.sts.SetFault(ststest.FaultHTTP503, "", "")
	go func() {
		// The first request is answered 503; the retry, 300 ms later, is not.
		if _, err := r.sts.WaitRequests(t.Context(), 1); err == nil {
			r.sts.SetFault(ststest.FaultNone, "", "")
		}
	}()
	a, err := op.Open(context.Background(), session.MethodFallback)
	if err != nil || a.ID == "" {
		t.Fatalf("%v", err)
	}
	reqs := r.sts.Requests()
	if len(reqs) != 2 || string(reqs[0].Envelope) != string(reqs[1].Envelope) {
		t.Fatalf("%d requests; the retry must resend the same signed request", len(reqs))
	}
	// Not transient: one request only.
	r.sts.SetFault(ststest.FaultSOA, "SOA-01002", "")
	if _, err := op.Open(context.Background(), session.MethodFallback); err == nil || len(r.sts.Requests()) != 3 {
		t.Fatalf("%v, %d requests", err, len(r.sts.Requests()))
	}
	// A read-only state dir is not the Opener's business; nothing is written.
	if entries, _ := os.ReadDir(filepath.Join(r.dir, "state")); len(entries) != 0 {
		t.Fatalf("the opener wrote state: %v", entries)
	}
}

// TestCoreReadOnlyStateDir: a state dir that cannot be written (here: a file
// where the folder should be) is said once; sessions and reminders still work.
func TestCoreReadOnlyStateDir(t *testing.T) {
	r := newRig(t)
	if err := os.WriteFile(r.stateDir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	r.keystore(ssin, now.Add(3*24*time.Hour), now.AddDate(-3, 0, 0))
	r.startWith(2 * time.Second)
	defer r.stop()
	r.click(tray.CmdFallback)
	r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })
	r.wait("reminder", func(tray.State) bool { return r.notes.count("expires in") == 1 })
	r.click(tray.CmdStop)
	r.wait("red", func(s tray.State) bool { return s.Icon == icons.KindNone && s.Fallback.Enabled })
	r.click(tray.CmdFallback)
	r.wait("green again", func(s tray.State) bool { return s.Icon == icons.KindActive && s.Stop.Visible })
	if n := r.notes.count("cannot save its state"); n != 1 {
		t.Fatalf("said %d times", n)
	}
}

// TestCoreMissingQualityIsAProblemBeforeAnyPassword: without the profession
// the request cannot name its attributes; it is said up front, and no
// password is asked for nothing.
func TestCoreMissingQualityIsAProblemBeforeAnyPassword(t *testing.T) {
	r := newRig(t)
	r.cfg.Providers[0].Quality = ""
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.startWith(time.Second)
	defer r.stop()
	s := r.wait("problem", func(s tray.State) bool { return s.Icon == icons.KindProblem })
	if !strings.Contains(s.Tooltip, "profession missing") {
		t.Fatalf("tooltip %q", s.Tooltip)
	}
	r.click(tray.CmdFallback)
	r.wait("said", func(s tray.State) bool { return strings.Contains(lines(s), "rofession not set") })
	r.prompter.mu.Lock()
	defer r.prompter.mu.Unlock()
	for _, q := range r.prompter.asked {
		if strings.Contains(q, "Password") {
			t.Fatalf("a password was asked: %q", r.prompter.asked)
		}
	}
	if len(r.sts.Requests()) != 0 {
		t.Fatal("a request was sent")
	}
}

// TestOpenerSlowPINDoesNotSendAStaleRequest: when the signing (PIN entry
// included) ate the Timestamp's 60 s, nothing is sent and the message says
// why, instead of eHealth's misleading "not authenticated".
func TestOpenerSlowPINDoesNotSendAStaleRequest(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	path := r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	// The request is built as of 58 s ago: as if the PIN took that long.
	op := &Opener{Config: &r.cfg, Provider: r.cfg.Providers[0], KeystorePath: path,
		Secrets: PromptSecrets{Prompter: r.prompter}, Now: func() time.Time { return time.Now().Add(-58 * time.Second) }}
	_, err := op.Open(context.Background(), session.MethodFallback)
	if errkind.Of(err) != "request-expired" || !strings.Contains(ErrorMessage(nil, err), "60 seconds") {
		t.Fatalf("%v (%s)", err, ErrorMessage(nil, err))
	}
	if len(r.sts.Requests()) != 0 {
		t.Fatal("a stale request was sent")
	}
}

// TestCoreNIHIIMismatchIsShown: eHealth certifies another INAMI number than
// the settings hold: said while the session lasts, notified once.
func TestCoreNIHIIMismatchIsShown(t *testing.T) {
	r := newRig(t)
	r.cfg.Providers[0].INAMI = "5/38861/71/522" // valid, but not what eHealth certifies
	now := r.clock.Now()
	r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	r.startWith(time.Second)
	defer r.stop()
	r.click(tray.CmdFallback)
	s := r.wait("warning", func(s tray.State) bool {
		return s.Icon == icons.KindActive && strings.Contains(lines(s), "53886171521")
	})
	if !strings.Contains(lines(s), "5/38861/71/522") || r.notes.count("INAMI number differs") != 1 {
		t.Fatalf("%q, %d notes", lines(s), r.notes.count("INAMI number differs"))
	}
}

// TestOpenerSaysClockSkewAndTraces: a refusal while the PC's clock is 10
// minutes behind eHealth's names the difference and the fix (in the
// practitioner's language, eHealth's code kept); --trace keeps the exact
// bytes of the exchange; a session that has already ended is an error.
func TestOpenerSaysClockSkewAndTraces(t *testing.T) {
	r := newRig(t)
	now := r.clock.Now()
	path := r.keystore(ssin, now.AddDate(0, 0, 200), now.AddDate(0, 0, -2))
	trace := filepath.Join(r.dir, "trace")
	op := &Opener{Config: &r.cfg, Provider: r.cfg.Providers[0], KeystorePath: path,
		Secrets: PromptSecrets{Prompter: r.prompter}, TraceDir: trace}
	r.sts.SetDate(ststest.DateNormal, 10*time.Minute)
	r.sts.SetFault(ststest.FaultSOA, "SOA-01001", "")
	_, err := op.Open(context.Background(), session.MethodFallback)
	if errkind.Of(err) != "clock-skew" {
		t.Fatalf("%v (kind %q)", err, errkind.Of(err))
	}
	if fault, ok := errors.AsType[*sts.STSFault](err); !ok || fault.Code != "SOA-01001" {
		t.Errorf("eHealth's code is lost: %v", err)
	}
	if msg := ErrorMessage(nil, err); !strings.Contains(msg, "10 minutes behind eHealth's: set the time automatically") {
		t.Errorf("message: %s", msg)
	}
	if msg := ErrorMessage(i18n.New("de"), err); !strings.Contains(msg, "10 Minuten") {
		t.Errorf("German message: %s", msg)
	}
	sent, err := os.ReadFile(filepath.Join(trace, "sts-request.xml"))
	if err != nil || !bytes.Equal(sent, r.sts.Requests()[0].Envelope) {
		t.Errorf("sts-request.xml is not what was sent: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(trace, "sts-response.xml")); err != nil || !bytes.Contains(got, []byte("SOA-01001")) {
		t.Errorf("sts-response.xml: %v", err)
	}

	r.sts.SetDate(ststest.DateNormal, 0)
	r.sts.SetFault(ststest.FaultPast, "", "")
	if _, err := op.Open(context.Background(), session.MethodFallback); errkind.Of(err) != "sts-response" ||
		!strings.Contains(ErrorMessage(nil, err), "has already ended") {
		t.Errorf("a session of 2000: %v (kind %q)", err, errkind.Of(err))
	}
}
