package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"ehealth-tray/safefile"
	"ehealth-tray/statefile"
)

// cacheFile is the on-disk form of a cached session. The assertion is
// holder-of-key: useless without the eHealth private key, so it may be kept on
// disk (0600) to survive a restart of the app (ehealth-protocol.md §7).
type cacheFile struct {
	// Key ties the cache to one keystore and provider; another key is ignored.
	Key          string            `json:"key"`
	Method       Method            `json:"method"`
	AssertionID  string            `json:"assertion_id"`
	Issuer       string            `json:"issuer,omitempty"`
	NotBefore    time.Time         `json:"not_before"`
	NotOnOrAfter time.Time         `json:"not_on_or_after"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Raw          []byte            `json:"raw"` // base64 in JSON
}

// maxCacheSize bounds what readCache reads: an assertion is a few kB.
const maxCacheSize = 1 << 20

var (
	errInsecureCache = errors.New("session cache is not private to this user")
	errCorruptCache  = errors.New("session cache is unreadable")
)

func newCacheFile(key string, m Method, a *Assertion) *cacheFile {
	return &cacheFile{
		Key: key, Method: m, AssertionID: a.ID, Issuer: a.Issuer,
		NotBefore: a.NotBefore, NotOnOrAfter: a.NotOnOrAfter,
		Attributes: a.Attributes, Raw: a.Raw,
	}
}

func (c *cacheFile) assertion() *Assertion {
	return &Assertion{
		ID: c.AssertionID, Issuer: c.Issuer,
		NotBefore: c.NotBefore, NotOnOrAfter: c.NotOnOrAfter,
		Attributes: c.Attributes, Raw: c.Raw,
	}
}

// readCache reads the cache at path. It returns an error wrapping
// fs.ErrNotExist when there is none, errInsecureCache when the file or its
// folder could have been read or planted by someone else (statefile.ReadFile:
// a symlink, a FIFO, an open mode, another owner), and errCorruptCache when
// it is too large or does not decode to a session.
func readCache(path string) (*cacheFile, error) {
	data, err := statefile.ReadFile(path, maxCacheSize)
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%w: %w", errCorruptCache, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errInsecureCache, err)
	}
	var c cacheFile
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptCache, err)
	}
	if c.Method != MethodEID && c.Method != MethodFallback || c.AssertionID == "" || len(c.Raw) == 0 {
		return nil, fmt.Errorf("%w: incomplete session", errCorruptCache)
	}
	return &c, nil
}

// writeCache replaces the cache at path atomically (statefile.WriteAtomic):
// a killed process leaves either the old file or the new one, never a torn
// one (at worst a stray temp file, which readCache never reads and
// statefile.RemoveStaleTemps cleans up).
func writeCache(path string, c *cacheFile) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return statefile.WriteAtomic(path, data)
}

// removeCache deletes the cache at path (statefile.Remove: a symlink itself,
// never its target). A cache that cannot be removed is left as it is, never
// truncated: emptying a path follows a planted symlink to another file.
func removeCache(path string) error { return statefile.Remove(path) }
