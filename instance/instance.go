// Package instance keeps ehealth-tray to one instance per user: a login
// autostart and a manual start at the same moment must not give two trays.
//
// The lock alone decides the primary: the first instance holds an exclusive
// lock on instance.lock in its state folder, which the system releases when
// the process dies, so a crash never leaves a stale lock. The primary also
// listens on a Unix socket next to it (the hand-over): a second start fails
// to take the lock, tells the first over the socket (which then shows
// itself), and exits. A hand-over that cannot be set up leaves the lock held.
//
// The lock is opened only in a state folder of the user's own, never through
// a symlink, never on a FIFO; anything but a regular file is refused.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"ehealth-tray/safefile"
	"ehealth-tray/statefile"
)

// ErrRunning means another instance holds the lock; it was told to show
// itself, unless the error says it does not answer.
var ErrRunning = errors.New("ehealth-tray is already running")

// Primary is the running first instance.
type Primary struct {
	lock *os.File
	ln   net.Listener // nil when the hand-over could not be set up
	path string
	// Activate receives when a second instance starts.
	Activate chan struct{}
	// Handover says why a second start cannot reach this one (no Unix
	// sockets, as under Wine); nil when it can. The lock is held either way.
	Handover error
}

// handoverWait is how long a second instance waits for the first one's
// socket: the first may have taken the lock a moment ago.
const handoverWait = 3 * time.Second

// Acquire becomes the primary instance, or returns an error wrapping
// ErrRunning after handing over to the one already running. Any other error
// (a *statefile.DirError, a *safefile.NotRegularError for an instance.lock
// that is a folder, a symlink or a FIFO) means the lock cannot be taken:
// the caller must not run as the tray, or two could.
func Acquire(stateDir string) (*Primary, error) {
	if err := statefile.PrepareDir(stateDir); err != nil {
		return nil, err
	}
	sock := filepath.Join(stateDir, "instance.sock")
	lockPath := filepath.Join(stateDir, "instance.lock")
	f, err := safefile.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("single-instance lock %s: %w", lockPath, err)
		}
		return nil, handOver(sock)
	}
	p := &Primary{lock: f, path: sock, Activate: make(chan struct{}, 1)}
	// We hold the lock: whatever socket file is there was left by a crash.
	_ = os.Remove(sock)
	if p.ln, p.Handover = net.Listen("unix", sock); p.Handover == nil {
		go p.serve()
	}
	return p, nil
}

// handOver tells the running instance to show itself.
func handOver(sock string) error {
	deadline := time.Now().Add(handoverWait)
	for {
		err := activate(sock)
		if err == nil {
			return ErrRunning
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w, but does not answer: %w", ErrRunning, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func activate(sock string) error {
	conn, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("activate\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "ok\n" {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}

func (p *Primary) serve() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil || line != "activate\n" {
				return
			}
			_, _ = conn.Write([]byte("ok\n"))
			select {
			case p.Activate <- struct{}{}:
			default:
			}
		}()
	}
}

// Close releases the instance: the socket, then the lock.
func (p *Primary) Close() error {
	var err error
	if p.ln != nil {
		err = p.ln.Close()
		_ = os.Remove(p.path)
	}
	// Closing the file releases the lock; the file stays for the next start.
	if cerr := p.lock.Close(); err == nil {
		err = cerr
	}
	return err
}
