package session

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"ehealth-tray/errkind"
	"ehealth-tray/latest"
	"ehealth-tray/statefile"
)

// State is the state of the session as the Manager publishes it.
type State string

// The session states. Active, ending-soon and expired are derived from the
// assertion's NotOnOrAfter and the wall clock each time they are read.
const (
	StateNone       State = "none"
	StateStarting   State = "starting"
	StateActive     State = "active"
	StateEndingSoon State = "ending-soon"
	StateExpired    State = "expired"
	StateFailed     State = "failed"
)

// Snapshot is the session as seen at one instant.
type Snapshot struct {
	State State
	// Method of the current or last session, or of the failed attempt.
	Method                  Method
	AssertionID             string
	NotBefore, NotOnOrAfter time.Time
	Attributes              map[string]string
	// Err is the error of the last Start when it failed. With StateFailed no
	// valid session is left; with StateActive or StateEndingSoon a renewal
	// failed and the previous session goes on.
	Err error
	// At is when the snapshot was taken (wall clock).
	At time.Time
	// ClockSkew is the session's Assertion.ClockSkew: when ClockSkewed, the
	// app tells the practitioner once (sts.SkewWarning).
	ClockSkew time.Duration
}

// StateAt is the state to show at now, which may be later than the
// snapshot: a session whose end has passed is expired, and a renewal (a
// Start while a session is still valid) shows the valid session's state, so
// that the icon stays green (orange near the end) until the new session
// arrives or the old one ends. warn is the Manager's WarnBeforeEnd.
func (s Snapshot) StateAt(now time.Time, warn time.Duration) State {
	switch s.State {
	case StateActive, StateEndingSoon, StateExpired:
		if s.AssertionID != "" {
			return deriveState(now, s.NotOnOrAfter, warn)
		}
	case StateStarting:
		if s.AssertionID != "" && now.Before(s.NotOnOrAfter) {
			return deriveState(now, s.NotOnOrAfter, warn)
		}
	}
	return s.State
}

// OpenFunc opens a session by the given method: the app core builds the
// signers and the request and calls the STS.
type OpenFunc func(ctx context.Context, m Method) (*Assertion, error)

// ManagerOptions configures a Manager.
type ManagerOptions struct {
	Open          OpenFunc      // required
	Clock         Clock         // nil: SystemClock
	CheckInterval time.Duration // 0: 15 minutes
	WarnBeforeEnd time.Duration // 0: 10 minutes
	// CachePath is the file the session is cached in ("" for none), for
	// example <statedir>/session.json.
	CachePath string
	// CacheKey ties the cache to one keystore and provider (keystore path and
	// NISS): a cache written with another key is ignored and removed.
	CacheKey string
	Logger   *slog.Logger // nil: slog.Default()
}

// Defaults of ManagerOptions (ehealth-protocol.md §7, product.md).
const (
	DefaultCheckInterval = 15 * time.Minute
	DefaultWarnBeforeEnd = 10 * time.Minute
)

// ManagerError is an error of the Manager itself; errors of Open are returned
// unchanged.
type ManagerError struct{ kind, msg string }

func (e *ManagerError) Error() string { return e.msg }

// Kind is the error kind shown by the CLI.
func (e *ManagerError) Kind() string { return e.kind }

var (
	// ErrBusy is returned by Start while another Start is running.
	ErrBusy = &ManagerError{"busy", "a session is already starting"}
	// ErrCanceled is returned by a Start that Stop interrupted.
	ErrCanceled = &ManagerError{errkind.Canceled, "session start canceled by stop"}

	errUnknownMethod = &ManagerError{"unknown-method", "unknown session method"}
	errNoAssertion   = &ManagerError{"no-assertion", "the session was opened without an assertion"}
)

// Manager keeps the eHealth session: it opens it on an explicit Start, caches
// it, and publishes its state as time passes. It never opens, renews or falls
// back to another method by itself: it only publishes ending-soon and expired,
// and the app offers renewal. It knows nothing about the tray.
type Manager struct {
	open      OpenFunc
	clock     Clock
	interval  time.Duration
	warn      time.Duration
	cachePath string
	cacheKey  string
	log       *slog.Logger

	// changed wakes Run when the deadlines may have moved.
	changed chan struct{}

	// mu guards the fields below. Cache I/O also happens under mu, so that
	// the file follows the state changes in their order.
	mu          sync.Mutex
	a           *Assertion // current or last session; nil when none
	method      Method
	err         error
	starting    bool
	gen         uint64             // bumped by Stop, so a Start in flight knows it was stopped
	cancelStart context.CancelFunc // cancels the Open in flight
	published   State              // last state sent to subscribers
	subs        map[*latest.Chan[Snapshot]]struct{}
	cacheWarned bool
}

// NewManager returns a Manager. It restores the cached session when the cache
// has the right key, is still valid, and is private to this user (mode 0600,
// owned by us); a cache readable by others is refused with one warning.
func NewManager(o ManagerOptions) *Manager {
	m := &Manager{
		open:      o.Open,
		clock:     o.Clock,
		interval:  o.CheckInterval,
		warn:      o.WarnBeforeEnd,
		cachePath: o.CachePath,
		cacheKey:  o.CacheKey,
		log:       o.Logger,
		changed:   make(chan struct{}, 1),
		subs:      make(map[*latest.Chan[Snapshot]]struct{}),
	}
	if m.clock == nil {
		m.clock = SystemClock()
	}
	if m.interval <= 0 {
		m.interval = DefaultCheckInterval
	}
	if m.warn <= 0 {
		m.warn = DefaultWarnBeforeEnd
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.cachePath != "" {
		statefile.RemoveStaleTemps(m.cachePath)
		m.loadCache()
	}
	m.published = m.stateLocked(m.now())
	return m
}

// now is the wall-clock time. The monotonic reading is stripped so that
// comparisons with NotOnOrAfter always use the wall clock, which (unlike the
// monotonic one) runs while the machine sleeps.
func (m *Manager) now() time.Time { return m.clock.Now().Round(0) }

func (m *Manager) loadCache() {
	c, err := readCache(m.cachePath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case errors.Is(err, errCorruptCache):
		m.log.Warn("discarding unreadable session cache", "path", m.cachePath, "err", err)
		m.dropCacheLocked()
		return
	case err != nil:
		m.log.Warn("refusing session cache", "path", m.cachePath, "err", err)
		return
	case c.Key != m.cacheKey:
		m.log.Info("discarding session cache of another keystore or provider", "path", m.cachePath)
		m.dropCacheLocked()
		return
	case !m.now().Before(c.NotOnOrAfter):
		m.log.Info("discarding expired session cache", "assertion_id", c.AssertionID,
			"not_on_or_after", c.NotOnOrAfter)
		m.dropCacheLocked()
		return
	}
	m.a, m.method = c.assertion(), c.Method
	m.log.Info("cached session restored", "method", c.Method, "assertion_id", c.AssertionID,
		"not_before", c.NotBefore, "not_on_or_after", c.NotOnOrAfter)
}

// Start opens a session by method, on an explicit user command only. It
// publishes starting, then the new session's state or failed, and returns
// Open's error as is. Open is called once: never retried, never replaced by
// another method. Start while another Start runs returns ErrBusy.
//
// An assertion whose NotOnOrAfter is already past (a clock far ahead of the
// STS's) is not an error: Start returns nil and the state is expired at once.
//
// When Start fails while the previous session is still valid (a failed
// renewal), that session is kept and Snapshot.Err carries the error.
func (m *Manager) Start(ctx context.Context, method Method) error {
	if method != MethodEID && method != MethodFallback {
		return errUnknownMethod
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	m.mu.Lock()
	if m.starting {
		m.mu.Unlock()
		return ErrBusy
	}
	m.starting, m.err, m.cancelStart = true, nil, cancel
	gen := m.gen
	m.updateLocked()
	m.mu.Unlock()

	if method == MethodFallback {
		m.log.Warn("starting session: fallback procedure (exceptional use)", "method", method)
	} else {
		m.log.Info("starting session", "method", method)
	}
	a, err := m.open(ctx, method)
	if err == nil && a == nil {
		err = errNoAssertion
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen {
		return ErrCanceled
	}
	m.starting, m.cancelStart = false, nil
	defer m.wakeRun()
	if err != nil {
		m.err = err
		if m.a != nil && !m.now().Before(m.a.NotOnOrAfter) {
			m.a = nil
			m.dropCacheLocked()
		}
		if m.a == nil {
			m.method = method
		}
		m.log.Warn("session start failed", "method", method, "kind", errkind.Of(err), "err", err)
		m.updateLocked()
		return err
	}
	m.a, m.method = a, method
	msg := "session started"
	if method == MethodFallback {
		msg += ": fallback procedure (exceptional use)"
	}
	m.log.Info(msg, "method", method, "assertion_id", a.ID,
		"not_before", a.NotBefore, "not_on_or_after", a.NotOnOrAfter)
	m.saveCacheLocked()
	m.updateLocked()
	return nil
}

// Stop ends the session: the state becomes none and the cached assertion is
// deleted. A Start in flight is canceled and returns ErrCanceled. The app
// calls Stop on Quit too.
func (m *Manager) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if m.cancelStart != nil {
		m.cancelStart()
		m.cancelStart = nil
	}
	if m.a != nil {
		m.log.Info("session stopped", "method", m.method, "assertion_id", m.a.ID)
	}
	m.starting, m.a, m.err = false, nil, nil
	m.dropCacheLocked()
	m.updateLocked()
	m.wakeRun()
}

// Recheck derives the state again from the wall clock and publishes it if it
// changed. The app calls it on wake from sleep, when the monotonic timers of
// Run are late; it also makes Run re-arm its deadline timers.
func (m *Manager) Recheck() {
	m.recheck()
	m.wakeRun()
}

func (m *Manager) recheck() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.updateLocked()
}

// Run checks the session every CheckInterval, and at NotOnOrAfter-WarnBeforeEnd
// and NotOnOrAfter so that ending-soon and expired show on time. It has no
// other wakeups and returns when ctx is done. Run it once per Manager.
func (m *Manager) Run(ctx context.Context) {
	check := m.clock.NewTimer(m.interval)
	defer func() { check.Stop() }()
	for {
		// This pass sees every change signalled so far.
		select {
		case <-m.changed:
		default:
		}
		m.recheck()
		var deadline Timer
		var deadlineC <-chan time.Time
		if d, ok := m.nextDeadline(); ok {
			deadline = m.clock.NewTimer(d)
			deadlineC = deadline.C()
		}
		select {
		case <-ctx.Done():
		case <-check.C():
			check = m.clock.NewTimer(m.interval)
		case <-deadlineC:
		case <-m.changed:
		}
		if deadline != nil {
			deadline.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// nextDeadline is the time until the next of NotOnOrAfter-WarnBeforeEnd and
// NotOnOrAfter still ahead, if any.
func (m *Manager) nextDeadline() (time.Duration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.a == nil {
		return 0, false
	}
	now := m.now()
	end := m.a.NotOnOrAfter
	for _, t := range []time.Time{end.Add(-m.warn), end} {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
	}
	return 0, false
}

// wakeRun tells Run to re-arm its deadline timer; it never blocks.
func (m *Manager) wakeRun() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// Snapshot returns the session as it is now.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snapshotLocked(m.now())
}

// Subscribe returns a channel that receives the current snapshot, then one at
// each state change. The channel holds one snapshot: a slow reader gets the
// latest, never a backlog, and never blocks the Manager. cancel unsubscribes
// and closes the channel.
func (m *Manager) Subscribe() (<-chan Snapshot, func()) {
	l := latest.New[Snapshot]()
	m.mu.Lock()
	l.Send(m.snapshotLocked(m.now()))
	m.subs[l] = struct{}{}
	m.mu.Unlock()
	return l.Recv(), func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.subs, l)
		l.Close() // twice is harmless
	}
}

// Assertion returns a copy of the current assertion, or nil when there is no
// session or it has expired.
func (m *Manager) Assertion() *Assertion {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.a == nil || !m.now().Before(m.a.NotOnOrAfter) {
		return nil
	}
	a := *m.a
	a.Attributes = maps.Clone(a.Attributes)
	a.Raw = slices.Clone(a.Raw)
	return &a
}

func (m *Manager) stateLocked(now time.Time) State {
	switch {
	case m.starting:
		return StateStarting
	case m.a != nil:
		return deriveState(now, m.a.NotOnOrAfter, m.warn)
	case m.err != nil:
		return StateFailed
	}
	return StateNone
}

// deriveState is the session state at now: never a remembered flag, so that
// sleep and clock changes cannot leave a stale state.
func deriveState(now, notOnOrAfter time.Time, warn time.Duration) State {
	switch {
	case now.Before(notOnOrAfter.Add(-warn)):
		return StateActive
	case now.Before(notOnOrAfter):
		return StateEndingSoon
	}
	return StateExpired
}

func (m *Manager) snapshotLocked(now time.Time) Snapshot {
	s := Snapshot{State: m.stateLocked(now), Method: m.method, Err: m.err, At: now}
	if a := m.a; a != nil {
		s.AssertionID, s.NotBefore, s.NotOnOrAfter = a.ID, a.NotBefore, a.NotOnOrAfter
		s.Attributes = maps.Clone(a.Attributes)
		s.ClockSkew = a.ClockSkew
	}
	return s
}

// updateLocked publishes the state if it changed since the last publication,
// replacing any snapshot a slow subscriber has not read yet.
func (m *Manager) updateLocked() {
	s := m.snapshotLocked(m.now())
	if s.State == m.published {
		return
	}
	if s.State == StateExpired {
		m.log.Info("session expired", "method", s.Method, "assertion_id", s.AssertionID,
			"not_on_or_after", s.NotOnOrAfter)
	}
	m.published = s.State
	for l := range m.subs {
		l.Send(s)
	}
}

func (m *Manager) saveCacheLocked() {
	if m.cachePath == "" {
		return
	}
	if err := writeCache(m.cachePath, newCacheFile(m.cacheKey, m.method, m.a)); err != nil {
		m.warnCache("cannot write the session cache; the session is kept in memory only", err)
	}
}

func (m *Manager) dropCacheLocked() {
	if m.cachePath == "" {
		return
	}
	if err := removeCache(m.cachePath); err != nil {
		m.warnCache("cannot delete the session cache", err)
	}
}

// warnCache logs the first cache failure only: a read-only or full state
// directory stays so, and the session works in memory without the cache.
func (m *Manager) warnCache(msg string, err error) {
	if m.cacheWarned {
		return
	}
	m.cacheWarned = true
	m.log.Warn(msg, "path", m.cachePath, "err", err)
}
