package app

import (
	"sync"

	"ehealth-tray/cert"
	"ehealth-tray/statefile"
)

// Record is what is known of a keystore once it was opened with its
// password: enough to show its expiry and give reminders without asking the
// password again. It holds no secret.
type Record struct {
	Path     string        `json:"path"`
	Identity cert.Identity `json:"identity"`
}

// Records is the persistent set of keystore records, by file path.
type Records struct {
	path   string
	mu     sync.Mutex
	byPath map[string]Record
}

// LoadRecords reads the records file; a missing file is an empty set. On any
// other error the set is empty and the error says why.
func LoadRecords(path string) (*Records, error) {
	r := &Records{path: path, byPath: map[string]Record{}}
	var list []Record
	err := statefile.ReadJSON(path, &list)
	if statefile.IsNotExist(err) {
		err = nil
	}
	for _, rec := range list {
		r.byPath[rec.Path] = rec
	}
	return r, err
}

// Get returns the record of a keystore file.
func (r *Records) Get(path string) (Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.byPath[path]
	return rec, ok && path != ""
}

// ForSSIN returns the record with the latest end date for an SSIN and
// environment: the keystore the practitioner accepted last.
func (r *Records) ForSSIN(niss, env string) (Record, bool) {
	n, err := cert.ParseNISS(niss)
	if err != nil {
		return Record{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var best Record
	found := false
	for _, rec := range r.byPath {
		if rec.Identity.SSIN == string(n) && rec.Identity.Environment == env && (!found || rec.Identity.NotAfter.After(best.Identity.NotAfter)) {
			best, found = rec, true
		}
	}
	return best, found
}

// Put adds or replaces a record and saves the set. The record stays in
// memory when saving fails.
func (r *Records) Put(rec Record) error {
	r.mu.Lock()
	r.byPath[rec.Path] = rec
	list := make([]Record, 0, len(r.byPath))
	for _, v := range r.byPath {
		list = append(list, v)
	}
	r.mu.Unlock()
	return statefile.WriteJSON(r.path, list)
}
