package sts

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/i18n"
	"ehealth-tray/session"
	"ehealth-tray/soap"
	"ehealth-tray/sts/ststest"
)

// simulator starts a verifying STS simulator on loopback.
func simulator(t *testing.T, o ststest.Options) *ststest.Server {
	t.Helper()
	if o.NIHII == "" {
		o.NIHII = "53886171521"
	}
	s, err := ststest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// requestFor is a fallback request for quality, signed now.
func requestFor(t *testing.T, quality string) *SignedRequest {
	t.Helper()
	hok, _, _ := stsKeys(t)
	req, err := BuildRequest(RequestParams{Identification: hok, HOK: hok, SSIN: reqSSIN, Quality: quality})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestEveryProfessionAccepted: the simulator, which refuses any list of
// designators that is not exactly one profession's (§5), opens a session
// for each, with the default rsa-sha1 inner signature; with [sts] trust the
// real-shaped answer verifies.
func TestEveryProfessionAccepted(t *testing.T) {
	s := simulator(t, ststest.Options{})
	for _, q := range []string{"doctor", "physiotherapist", "nurse", "dentist", "midwife"} {
		c := newTestClient(t, ClientOptions{URL: s.URL, Trust: []*x509.Certificate{s.STSCert()}})
		a, err := c.RequestToken(context.Background(), requestFor(t, q))
		if err != nil {
			t.Fatalf("%s: %v (%v)", q, err, s.Requests()[len(s.Requests())-1].Err)
		}
		if a.Attributes["urn:be:fgov:person:ssin"] != reqSSIN {
			t.Errorf("%s: attributes %v", q, a.Attributes)
		}
		if returned, mismatch := NIHIIMismatch(a, "53886171521"); mismatch {
			t.Errorf("%s: NIHII %q", q, returned)
		}
	}
}

func TestClockSkew(t *testing.T) {
	s := simulator(t, ststest.Options{})
	refused := func(t *testing.T, offset time.Duration, mode ststest.DateMode) error {
		t.Helper()
		s.SetDate(mode, offset)
		_, err := newTestClient(t, ClientOptions{URL: s.URL}).RequestToken(context.Background(), requestFor(t, "doctor"))
		if err == nil {
			t.Fatal("no refusal")
		}
		return err
	}

	s.SetFault(ststest.FaultSOA, "SOA-01001", "Call not authenticated.")
	err := refused(t, 10*time.Minute, ststest.DateNormal)
	fault, ok := errors.AsType[*STSFault](err)
	if errkind.Of(err) != "clock-skew" || !ok || fault.Code != "SOA-01001" {
		t.Fatalf("10 min: %v (kind %q), want clock-skew keeping SOA-01001", err, errkind.Of(err))
	}
	cs, _ := errors.AsType[*ClockSkewError](err)
	if msg := cs.Localize(nil); !strings.Contains(msg, "clock is 10 minutes behind eHealth's: set the time automatically") {
		t.Errorf("message: %s", msg)
	}
	if msg := cs.Localize(i18n.New("fr")); !strings.Contains(msg, "retarde de 10 minutes") {
		t.Errorf("French message: %s", msg)
	}
	err = refused(t, -7*time.Minute, ststest.DateNormal)
	if cs, ok := errors.AsType[*ClockSkewError](err); !ok || !strings.Contains(cs.Localize(nil), "7 minutes ahead of eHealth's") {
		t.Errorf("-7 min: %v", err)
	}
	for name, c := range map[string]struct {
		offset time.Duration
		mode   ststest.DateMode
	}{
		"1 min":             {time.Minute, ststest.DateNormal},
		"no Date":           {10 * time.Minute, ststest.DateMissing},
		"malformed Date":    {10 * time.Minute, ststest.DateMalformed},
		"just under 2 min":  {2*time.Minute - time.Second, ststest.DateNormal},
		"just under -2 min": {-2*time.Minute + time.Second, ststest.DateNormal},
	} {
		if err := refused(t, c.offset, c.mode); errkind.Of(err) != "sts-fault" {
			t.Errorf("%s: %v (kind %q), want sts-fault", name, err, errkind.Of(err))
		}
	}

	s.SetFault(ststest.FaultStatus, "samlp:Requester", "Invalid timestamp")
	if err := refused(t, 10*time.Minute, ststest.DateNormal); errkind.Of(err) != "clock-skew" {
		t.Errorf("status refusal: %v (kind %q), want clock-skew", err, errkind.Of(err))
	} else if _, ok := errors.AsType[*STSStatusError](err); !ok {
		t.Errorf("the status is lost: %v", err)
	}
	// An unavailable STS is not a clock problem.
	s.SetFault(ststest.FaultSOA, "SOA-02001", "Service unavailable")
	if err := refused(t, 10*time.Minute, ststest.DateNormal); errkind.Of(err) != "sts-unavailable" {
		t.Errorf("SOA-02001: %v (kind %q), want sts-unavailable", err, errkind.Of(err))
	}
}

// TestClockSkewAccepted: a session eHealth accepts despite the difference
// carries it, and the client warns in the log.
func TestClockSkewAccepted(t *testing.T) {
	s := simulator(t, ststest.Options{DateOffset: 10 * time.Minute})
	var log bytes.Buffer
	c := newTestClient(t, ClientOptions{URL: s.URL, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	a, err := c.RequestToken(context.Background(), requestFor(t, "doctor"))
	if err != nil {
		t.Fatal(err)
	}
	if d := a.ClockSkew - 10*time.Minute; d.Abs() > 2*time.Second || !session.ClockSkewed(a.ClockSkew) {
		t.Errorf("ClockSkew %v, want 10 min", a.ClockSkew)
	}
	if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "clock") {
		t.Errorf("no warning: %s", log.String())
	}
	if msg := SkewWarning(i18n.New("nl"), a.ClockSkew); !strings.Contains(msg, "10 minuten achter") {
		t.Errorf("warning: %s", msg)
	}

	s.SetDate(ststest.DateNormal, 30*time.Second)
	a, err = c.RequestToken(context.Background(), requestFor(t, "doctor"))
	if err != nil || session.ClockSkewed(a.ClockSkew) {
		t.Fatalf("30 s: %v, skew %v", err, a.ClockSkew)
	}
}

// TestDeadSessionRefused (issue 14 §7): an assertion that cannot be a
// session is an error, never an "active" session.
func TestDeadSessionRefused(t *testing.T) {
	s := simulator(t, ststest.Options{})
	for _, c := range []struct {
		fault  ststest.Fault
		reason string
		says   string
	}{
		{ststest.FaultExpired, LifetimeEnded, "has already ended"},
		{ststest.FaultPast, LifetimeEnded, "has already ended"},
		{ststest.FaultFuture, LifetimeNotYetValid, "only starts at"},
		{ststest.FaultLongLived, LifetimeTooLong, "more than 7 days"},
	} {
		s.SetFault(c.fault, "", "")
		a, err := newTestClient(t, ClientOptions{URL: s.URL, Trust: []*x509.Certificate{s.STSCert()}}).RequestToken(context.Background(), requestFor(t, "nurse"))
		le, ok := errors.AsType[*LifetimeError](err)
		if !ok || le.Reason != c.reason || errkind.Of(err) != "sts-response" {
			t.Errorf("%s: %v %v, want %s (sts-response)", c.fault, a, err, c.reason)
			continue
		}
		if msg := le.Localize(nil); !strings.Contains(msg, c.says) {
			t.Errorf("%s: %s", c.fault, msg)
		}
	}
}

func TestCheckLifetime(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name                string
		notBefore, notAfter time.Time
		skew                time.Duration
		want                string
	}{
		{"real: backdated 5 min, 24 h", now.Add(-5 * time.Minute), now.Add(24 * time.Hour), 0, ""},
		{"ends now", now.Add(-time.Hour), now, 0, LifetimeEnded},
		{"starts in 3 min", now.Add(3 * time.Minute), now.Add(24 * time.Hour), 0, LifetimeNotYetValid},
		{"starts in 1 min", now.Add(time.Minute), now.Add(24 * time.Hour), 0, ""},
		// The computer 10 minutes behind: eHealth's NotBefore is in its future.
		{"clock behind, skew known", now.Add(5 * time.Minute), now.Add(24*time.Hour + 10*time.Minute), 10 * time.Minute, ""},
		{"7 days", now, now.Add(7 * 24 * time.Hour), 0, ""},
		{"7 days and a second", now, now.Add(7*24*time.Hour + time.Second), 0, LifetimeTooLong},
		{"year 9999", now, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), 0, LifetimeTooLong},
		{"backwards", now.Add(48 * time.Hour), now.Add(time.Hour), 0, LifetimeNotYetValid},
	} {
		err := checkLifetime(&session.Assertion{NotBefore: c.notBefore, NotOnOrAfter: c.notAfter, ClockSkew: c.skew}, now)
		got := ""
		if le, ok := errors.AsType[*LifetimeError](err); ok {
			got = le.Reason
		}
		if got != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestNestedAssertions: an assertion nested in the answer's (SAML Advice, an
// echo of the request in SubjectConfirmationData) is not a second answer and
// none of its values is used; two top-level assertions are refused; a signed
// pretty-printed assertion verifies, one re-indented after signing does not.
func TestNestedAssertions(t *testing.T) {
	s := simulator(t, ststest.Options{})
	trust := []*x509.Certificate{s.STSCert()}
	for _, c := range []struct {
		fault ststest.Fault
		kind  string
	}{
		{ststest.FaultNestedAdvice, ""},
		{ststest.FaultNestedEcho, ""},
		{ststest.FaultIndented, ""},
		{ststest.FaultTwoAssertions, "sts-response"},
		{ststest.FaultReindented, "sts-signature"},
	} {
		for _, tr := range [][]*x509.Certificate{nil, trust} {
			if c.fault == ststest.FaultReindented && tr == nil {
				continue // without trust, whitespace is no reason to refuse
			}
			s.SetFault(c.fault, "", "")
			a, err := newTestClient(t, ClientOptions{URL: s.URL, Trust: tr}).RequestToken(context.Background(), requestFor(t, "doctor"))
			if errkind.Of(err) != c.kind {
				t.Errorf("%s (trust %d): %v (kind %q), want %q", c.fault, len(tr), err, errkind.Of(err), c.kind)
				continue
			}
			if err != nil {
				continue
			}
			if a.Attributes["urn:be:fgov:person:ssin"] != reqSSIN || time.Until(a.NotOnOrAfter) < 23*time.Hour {
				t.Errorf("%s: the nested assertion's values were read: %v until %v", c.fault, a.Attributes, a.NotOnOrAfter)
			}
			for name, v := range a.Attributes {
				if v == ststest.DecoySSIN || v == ststest.DecoyNIHII || v == "false" {
					t.Errorf("%s: decoy %s = %s", c.fault, name, v)
				}
			}
		}
	}
}

// TestRetry: an STS briefly unavailable gets the same signed request again;
// a refusal, a too-large answer or an expired request does not.
func TestRetry(t *testing.T) {
	s := simulator(t, ststest.Options{})
	var calls atomic.Int32
	var failFirst atomic.Int32
	var failWith func(w http.ResponseWriter)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if failFirst.Add(-1) >= 0 {
			failWith(w)
			return
		}
		s.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	delays := []time.Duration{time.Millisecond, time.Millisecond}
	c := newTestClient(t, ClientOptions{URL: front.URL + ststest.Path, RetryDelays: delays})

	http503 := func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) }
	soa02 := func(w http.ResponseWriter) {
		w.WriteHeader(500)
		w.Write([]byte(stsFaultXML(`<detail><soa:SystemError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1"><Code>SOA-02002</Code><Message>busy</Message></soa:SystemError></detail>`)))
	}
	for name, fail := range map[string]func(http.ResponseWriter){"503": http503, "SOA-02002": soa02} {
		calls.Store(0)
		failFirst.Store(2)
		failWith = fail
		if _, err := c.RequestToken(context.Background(), requestFor(t, "doctor")); err != nil || calls.Load() != 3 {
			t.Errorf("%s twice, then up: %v after %d calls", name, err, calls.Load())
		}
		calls.Store(0)
		failFirst.Store(3)
		_, err := c.RequestToken(context.Background(), requestFor(t, "doctor"))
		if errkind.Of(err) != "sts-unavailable" || calls.Load() != 3 {
			t.Errorf("%s three times: %v after %d calls", name, err, calls.Load())
		}
		if ue, ok := errors.AsType[*UnavailableError](err); !ok {
			t.Errorf("%s: %v is no UnavailableError", name, err)
		} else if msg := ue.Localize(nil); !strings.Contains(msg, "temporarily unavailable") || !strings.Contains(msg, name) || strings.Contains(msg, "internet") {
			t.Errorf("%s: message %q", name, msg)
		}
	}

	failFirst.Store(0)
	for _, f := range []struct {
		fault ststest.Fault
		code  string
		kind  string
	}{
		{ststest.FaultHugeSOAP, "SOA-02001", "too-large"},
		{ststest.FaultSOA, "SOA-01001", "sts-fault"},
		{ststest.FaultStatus, "", "sts-status"},
	} {
		s.SetFault(f.fault, f.code, "")
		calls.Store(0)
		_, err := c.RequestToken(context.Background(), requestFor(t, "doctor"))
		if errkind.Of(err) != f.kind || calls.Load() != 1 {
			t.Errorf("%s: %v (kind %q) after %d calls, want %s after 1", f.fault, err, errkind.Of(err), calls.Load(), f.kind)
		}
		if f.kind == "too-large" && !strings.Contains(err.(interface{ Localize(*i18n.Localizer) string }).Localize(nil), "too large") {
			t.Errorf("too large: %v", err)
		}
	}
	s.SetFault(ststest.FaultNone, "", "")

	calls.Store(0)
	req := requestFor(t, "doctor")
	req.Expires = time.Now().Add(sendMargin - time.Second)
	if _, err := c.RequestToken(context.Background(), req); errkind.Of(err) != "request-expired" || calls.Load() != 0 {
		t.Errorf("expired request: %v after %d calls", err, calls.Load())
	}
}

// TestTrustRollover: the [sts] trust file holds the old and the new STS
// certificate; an answer that verifies only with an expired one names it.
func TestTrustRollover(t *testing.T) {
	now := time.Now()
	oldSTS, err := ststest.NewCredential("STS 2024", now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	newSTS, err := ststest.NewCredential("STS 2026", now.AddDate(0, -1, 0), now.AddDate(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "sts-trust.pem")
	if err := os.WriteFile(file, ststest.PEM(oldSTS.Cert, newSTS.Cert), 0o600); err != nil {
		t.Fatal(err)
	}
	trust, err := LoadTrust(file)
	if err != nil || len(trust) != 2 {
		t.Fatalf("%d certificates: %v", len(trust), err)
	}
	s := simulator(t, ststest.Options{STS: newSTS})
	c := newTestClient(t, ClientOptions{URL: s.URL, Trust: trust})
	if _, err := c.RequestToken(context.Background(), requestFor(t, "doctor")); err != nil {
		t.Fatalf("signed by the new certificate: %v", err)
	}
	if err := s.SetSTSCredential(oldSTS); err != nil {
		t.Fatal(err)
	}
	_, err = c.RequestToken(context.Background(), requestFor(t, "doctor"))
	te, ok := errors.AsType[*TrustExpiredError](err)
	if !ok || errkind.Of(err) != "sts-trust-expired" || !te.Cert.Equal(oldSTS.Cert) {
		t.Fatalf("signed by the expired certificate: %v (kind %q)", err, errkind.Of(err))
	}
	if msg := te.Localize(nil); !strings.Contains(msg, "STS 2024") || !strings.Contains(msg, "[sts] trust") {
		t.Errorf("the message does not name the certificate to replace: %s", msg)
	}
	// Without the old certificate it is simply not eHealth's signature.
	c = newTestClient(t, ClientOptions{URL: s.URL, Trust: []*x509.Certificate{newSTS.Cert}})
	if _, err := c.RequestToken(context.Background(), requestFor(t, "doctor")); errkind.Of(err) != "sts-signature" {
		t.Errorf("only the new certificate trusted: %v (kind %q)", err, errkind.Of(err))
	}
}

// TestTrace: session start --trace DIR writes the exact bytes exchanged.
func TestTrace(t *testing.T) {
	s := simulator(t, ststest.Options{})
	dir := filepath.Join(t.TempDir(), "trace")
	req := requestFor(t, "doctor")
	if _, err := newTestClient(t, ClientOptions{URL: s.URL, TraceDir: dir}).RequestToken(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	sent, err := os.ReadFile(filepath.Join(dir, "sts-request.xml"))
	if err != nil || !bytes.Equal(sent, req.Envelope) || !bytes.Equal(sent, s.Requests()[0].Envelope) {
		t.Errorf("sts-request.xml is not the bytes sent (%v)", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "sts-response.xml"))
	if err != nil || !bytes.Contains(got, []byte("<Assertion ")) {
		t.Errorf("sts-response.xml: %v %.80q", err, got)
	}
	for _, p := range []string{dir, filepath.Join(dir, "sts-request.xml"), filepath.Join(dir, "sts-response.xml")} {
		fi, err := os.Lstat(p)
		want := os.FileMode(0o600)
		if p == dir {
			want = 0o700
		}
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
}

// TestRedirectAndPlainHTTP (issue 14 §4): a redirect is an error naming its
// target, and an http:// STS URL is refused unless it is loopback.
func TestRedirectAndPlainHTTP(t *testing.T) {
	s := simulator(t, ststest.Options{})
	s.SetFault(ststest.FaultRedirectHTTP, "", "")
	_, err := newTestClient(t, ClientOptions{URL: s.URL}).RequestToken(context.Background(), requestFor(t, "doctor"))
	re, ok := errors.AsType[*soap.RedirectError](err)
	if !ok || !strings.HasPrefix(re.Location, "http://127.0.0.2") || len(s.Requests()) != 1 {
		t.Fatalf("%v after %d requests", err, len(s.Requests()))
	}
	if _, err := NewClient(ClientOptions{URL: "http://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1"}); errkind.Of(err) != "config" {
		t.Errorf("plain http to eHealth: %v", err)
	}
}
