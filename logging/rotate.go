package logging

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"ehealth-tray/safefile"
	"ehealth-tray/statefile"
)

// rotating is the log file: appended to, and renamed to .1, .2, … when it
// grows past max bytes, keeping backups old files. It is opened only in a
// folder of the user's own, never through a symlink, never on a FIFO.
type rotating struct {
	mu      sync.Mutex
	path    string
	max     int64
	backups int
	f       *os.File
	size    int64
}

// openRotating opens (or creates, 0600) the log at path.
func openRotating(path string, limit int64, backups int) (*rotating, error) {
	if err := statefile.CheckDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	r := &rotating{path: path, max: limit, backups: backups}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotating) open() error {
	f, err := safefile.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	r.f, r.size = f, fi.Size()
	return nil
}

func (r *rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, os.ErrClosed
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate shifts the backups (renames never follow a symlink; the oldest is
// replaced) and starts a new file.
func (r *rotating) rotate() error {
	if err := r.f.Close(); err != nil {
		return err
	}
	r.f = nil
	for i := r.backups - 1; i >= 1; i-- {
		_ = os.Rename(r.backup(i), r.backup(i+1))
	}
	if err := os.Rename(r.path, r.backup(1)); err != nil {
		return err
	}
	return r.open()
}

func (r *rotating) backup(i int) string { return r.path + "." + strconv.Itoa(i) }

func (r *rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
