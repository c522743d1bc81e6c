// Package instance keeps ehealth-tray to one instance per user. The first
// instance listens on a Unix socket in its state dir; a second start finds it,
// hands over (the first shows its state) and exits. A socket left by a crash
// does not answer, so it is replaced: a stale lock never blocks a start.
package instance

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ErrRunning means another instance answered and was told to show itself.
var ErrRunning = errors.New("ehealth-tray is already running")

// Primary is the running first instance.
type Primary struct {
	ln       net.Listener
	path     string
	Activate chan struct{} // receives when a second instance starts
}

// Acquire becomes the primary instance, or returns ErrRunning after handing
// over to the one already running.
func Acquire(stateDir string) (*Primary, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(stateDir, "instance.sock")
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := conn.Write([]byte("activate\n")); err == nil {
			if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil && line == "ok\n" {
				return nil, ErrRunning
			}
		}
	}
	// Nobody answered: whatever is there is stale.
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	p := &Primary{ln: ln, path: path, Activate: make(chan struct{}, 1)}
	go p.serve()
	return p, nil
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
	return err
}
