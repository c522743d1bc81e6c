// Package instance keeps ehealth-tray to one instance per user: a login
// autostart and a manual start at the same moment must not give two trays.
//
// The first instance holds an exclusive lock (gofrs/flock) on a file in its
// state dir; the kernel releases it when the process dies, so a crash never
// leaves a stale lock. It also listens on a Unix socket next to it. A second
// start fails to take the lock, tells the first over the socket (which then
// shows itself), and exits.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrRunning means another instance answered and was told to show itself.
var ErrRunning = errors.New("ehealth-tray is already running")

// Primary is the running first instance.
type Primary struct {
	lock     *flock.Flock
	ln       net.Listener
	path     string
	Activate chan struct{} // receives when a second instance starts
}

// handoverWait is how long a second instance waits for the first one's
// socket: the first may have taken the lock a moment ago.
const handoverWait = 3 * time.Second

// Acquire becomes the primary instance, or returns ErrRunning after handing
// over to the one already running.
func Acquire(stateDir string) (*Primary, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}
	sock := filepath.Join(stateDir, "instance.sock")
	lock := flock.New(filepath.Join(stateDir, "instance.lock"))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	if !ok {
		return nil, handOver(sock)
	}
	// We hold the lock: whatever socket file is there was left by a crash.
	_ = os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		_ = lock.Unlock()
		return nil, err
	}
	p := &Primary{lock: lock, ln: ln, path: sock, Activate: make(chan struct{}, 1)}
	go p.serve()
	return p, nil
}

// handOver tells the running instance to show itself.
func handOver(sock string) error {
	deadline := time.Now().Add(handoverWait)
	for {
		if err := activate(sock); err == nil {
			return ErrRunning
		} else if time.Now().After(deadline) {
			return fmt.Errorf("another ehealth-tray holds the lock but does not answer: %w", err)
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

// Close releases the instance.
func (p *Primary) Close() error {
	err := p.ln.Close()
	_ = os.Remove(p.path)
	if uerr := p.lock.Unlock(); err == nil {
		err = uerr
	}
	return err
}
