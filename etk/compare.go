package etk

import (
	"crypto"
	"crypto/x509"
	"slices"
	"time"
)

// Status is the outcome of an ETK check.
type Status string

// Statuses, as the CLI and the tray name them.
const (
	// StatusOK: the published ETK belongs to the keystore in use.
	StatusOK Status = "ok"
	// StatusNotActivated: it belongs to an older keystore of the same SSIN,
	// not to the one in use: the renewal ETK is not activated.
	StatusNotActivated Status = "not-activated"
	// StatusMismatch: it belongs to no keystore of that SSIN (or only to a
	// newer one than the keystore in use, named by Result.Matches).
	StatusMismatch Status = "mismatch"
	// StatusNotFound: nothing is published.
	StatusNotFound Status = "not-found"
)

// Keystore is one keystore file as the comparison sees it.
type Keystore struct {
	Path string
	// Created is the timestamp of the file name; zero when the name has
	// none (the keystore in use is then taken as the newest).
	Created time.Time
	// Aliases are the encryption keys' names, read without the password
	// (cert.EncryptionKeyAliases).
	Aliases []string
	// Keys are the encryption keys' public keys by alias, read from their
	// certificates, which only the password opens; nil without it.
	Keys map[string]crypto.PublicKey
}

// Result is the outcome of an ETK check.
type Result struct {
	Status Status
	// ETK is the encryption certificate the status is about; nil when
	// nothing is published.
	ETK *x509.Certificate
	// ApplicationID is the ETK's, "" for the personal one.
	ApplicationID string
	// Keystore is the keystore in use.
	Keystore Keystore
	// Matches is the path of the keystore the ETK belongs to, "" for none.
	Matches string
}

// Compare says whose the published tokens are. inUse is the keystore in
// use; others are the practitioner's other keystores (same SSIN, same
// environment). With several tokens, the result is the least favourable
// one's: a single ETK that no key in use can open is enough for messages to
// go unread.
func Compare(tokens []Token, inUse Keystore, others []Keystore) Result {
	if len(tokens) == 0 {
		return Result{Status: StatusNotFound, Keystore: inUse}
	}
	var worst Result
	for _, t := range tokens {
		r := compareOne(t, inUse, others)
		if worst.ETK == nil || severity(r.Status) > severity(worst.Status) {
			worst = r
		}
	}
	return worst
}

func compareOne(t Token, inUse Keystore, others []Keystore) Result {
	r := Result{Status: StatusMismatch, ETK: t.Cert, ApplicationID: t.ApplicationID, Keystore: inUse}
	inUseHolds := holds(inUse, t.Cert)
	for _, k := range others {
		if k.Path == inUse.Path || !holds(k, t.Cert) {
			continue
		}
		r.Matches = k.Path
		if inUse.Created.IsZero() || k.Created.Before(inUse.Created) {
			// An older keystore's key is published: the renewal ETK is not
			// activated, even when the renewed file carries the old key too
			// (eHealth asks to keep every old key).
			r.Status = StatusNotActivated
			return r
		}
	}
	if inUseHolds {
		r.Status, r.Matches = StatusOK, inUse.Path
	}
	return r
}

// holds tells whether k has the key of c: its serial in decimal is one of
// k's aliases (the Technical Connector's rule) and, when the public key under
// that alias is known, it is c's.
func holds(k Keystore, c *x509.Certificate) bool {
	alias := c.SerialNumber.String()
	if !slices.Contains(k.Aliases, alias) {
		return false
	}
	pub, known := k.Keys[alias]
	if !known {
		return true // no password, or no certificate paired with the key: the alias must do
	}
	p, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(c.PublicKey)
}

// severity orders statuses from the best to the worst.
func severity(s Status) int {
	return slices.Index([]Status{StatusOK, StatusNotActivated, StatusMismatch}, s)
}
