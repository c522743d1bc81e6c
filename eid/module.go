package eid

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// FindModule returns the PKCS#11 module to load: override if set (it must
// exist), else the first of ModuleCandidates that exists.
func FindModule(override string) (string, error) {
	if override != "" {
		if _, err := os.Stat(override); err != nil {
			return "", newError(KindModuleNotFound,
				fmt.Sprintf("eID middleware (PKCS#11 module) not found at %s", override), err)
		}
		return override, nil
	}
	candidates := ModuleCandidates()
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", newError(KindModuleNotFound, fmt.Sprintf(
		"eID middleware not found (tried %s); install the Belgian eID software or set the module path",
		strings.Join(candidates, ", ")), nil)
}

// module is one loaded and initialised PKCS#11 library. C_Initialize and
// C_Finalize act on the whole process, so every Card and Present call on the
// same path shares one module, and the last one to release it finalises and
// unloads it. A later Open then starts afresh (and SoftHSM re-reads
// SOFTHSM2_CONF).
type module struct {
	path string
	p    *pkcs11.Ctx
	refs int
	// owned is false when something else in the process had already
	// initialised the library: its C_Finalize is then not ours to call.
	owned bool
}

var modules = struct {
	sync.Mutex
	byPath map[string]*module
}{byPath: map[string]*module{}}

// acquireModule finds the module (see FindModule) and acquires it.
func acquireModule(override string) (*module, error) {
	path, err := FindModule(override)
	if err != nil {
		return nil, err
	}
	return acquire(path)
}

// acquire loads and initialises the module at path, or shares the one
// already loaded. Every successful acquire needs one release.
func acquire(path string) (*module, error) {
	modules.Lock()
	defer modules.Unlock()
	if m, ok := modules.byPath[path]; ok {
		m.refs++
		return m, nil
	}
	p := pkcs11.New(path)
	if p == nil {
		return nil, newError(KindModuleNotFound,
			fmt.Sprintf("Cannot load %s as a PKCS#11 module (not the eID middleware?)", path), nil)
	}
	owned := true
	if err := p.Initialize(); hasCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		owned = false
	} else if err != nil {
		p.Destroy()
		return nil, classify("initialising "+path, err, false, 0)
	}
	m := &module{path: path, p: p, refs: 1, owned: owned}
	modules.byPath[path] = m
	return m, nil
}

// release drops one reference; the last one finalises and unloads the
// module. A failing C_Finalize is only logged: the module is unloaded anyway
// and there is nothing the user could do about it.
func (m *module) release() {
	modules.Lock()
	defer modules.Unlock()
	if m.refs--; m.refs > 0 {
		return
	}
	delete(modules.byPath, m.path)
	if m.owned {
		if err := m.p.Finalize(); err != nil {
			slog.Warn("eid: finalising the PKCS#11 module failed", "module", m.path, "err", err)
		}
	}
	m.p.Destroy()
}

// tokenFlags reads the token's flags, or 0 when the token cannot be read.
func (m *module) tokenFlags(slot uint) uint {
	ti, err := m.p.GetTokenInfo(slot)
	if err != nil {
		return 0
	}
	return ti.Flags
}

// fail classifies err, reading the token flags first when they tell the
// PIN tries left.
func (m *module) fail(op string, err error, slot uint, inUse bool) *Error {
	var flags uint
	if hasCode(err, pkcs11.CKR_PIN_INCORRECT) {
		flags = m.tokenFlags(slot)
	}
	return classify(op, err, inUse, flags)
}

// findSlot returns the slot holding the token labelled label, with its info.
func (m *module) findSlot(label string) (uint, pkcs11.TokenInfo, error) {
	slots, err := m.p.GetSlotList(true)
	if err != nil {
		return 0, pkcs11.TokenInfo{}, classify("listing card readers", err, false, 0)
	}
	var unrecognised error
	for _, s := range slots {
		ti, err := m.p.GetTokenInfo(s)
		if err != nil {
			// A card that is not an eID, or one pulled out since the
			// slot list was read: look at the other readers.
			if hasCode(err, pkcs11.CKR_TOKEN_NOT_RECOGNIZED) {
				unrecognised = err
			}
			continue
		}
		if strings.TrimRight(ti.Label, " \x00") == label {
			return s, ti, nil
		}
	}
	if unrecognised != nil {
		return 0, pkcs11.TokenInfo{}, classify("reading the card", unrecognised, false, 0)
	}
	if len(slots) == 0 {
		all, err := m.p.GetSlotList(false)
		if err != nil {
			return 0, pkcs11.TokenInfo{}, classify("listing card readers", err, false, 0)
		}
		if len(all) == 0 {
			return 0, pkcs11.TokenInfo{}, newError(KindNoReader, "No card reader found (is pcscd running?)", nil)
		}
		return 0, pkcs11.TokenInfo{}, newError(KindNoCard, "No card in the reader", nil)
	}
	return 0, pkcs11.TokenInfo{}, newError(KindNoCard, fmt.Sprintf("No card with token label %q found", label), nil)
}
