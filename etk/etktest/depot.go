package etktest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/smallstep/pkcs7"
)

// Options configure a Depot. The zero value is usable.
type Options struct {
	// Now is the depot's clock, which PublishAt goes by; default time.Now.
	Now func() time.Time
	// Logger receives one line per rejected request; default: discard.
	Logger *slog.Logger
}

// Identifier is an EtkDepot identifier: what a request asks for, and an
// entry of a MatchingEtk list.
type Identifier struct {
	Type, Value, ApplicationID string
}

// Request is one request the depot got.
type Request struct {
	Identifier
	// ApplicationIDPresent is whether the request had an ApplicationID
	// element (the client must send it, empty, for the personal ETK).
	ApplicationIDPresent bool
	SOAPAction           string
	// Err is why the request was refused, nil when it was well formed.
	Err error
	At  time.Time
}

// version is an ETK published from a given time on.
type version struct {
	from time.Time
	etk  []byte
}

// entry is what the depot answers for one identifier: an ETK (the latest
// version whose time has come), else a MatchingEtk list, else nothing.
type entry struct {
	versions []version
	matching []Identifier
}

// Depot is the simulator's state and its http.Handler, to mount where the
// caller likes (Server mounts it at Path).
type Depot struct {
	opts   Options
	log    *slog.Logger
	raKey  *rsa.PrivateKey
	raCert *x509.Certificate

	mu           sync.Mutex
	entries      map[Identifier]*entry
	fault        Fault
	faultCode    string
	faultMessage string
	requests     []Request
}

// NewDepot makes a depot with its ETK-RA signing credential and nothing
// published.
func NewDepot(o Options) (*Depot, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Depot{opts: o, log: o.Logger, entries: map[Identifier]*entry{}}
	var err error
	if d.raKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("etk simulator: RA key: %w", err)
	}
	now := o.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{Country: []string{"BE"}, Organization: []string{"Federal Government"}, OrganizationalUnit: []string{"eHealth-platform Belgium"}, CommonName: "ETK-RA"},
		NotBefore:    now.AddDate(-1, 0, 0),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &d.raKey.PublicKey, d.raKey)
	if err != nil {
		return nil, fmt.Errorf("etk simulator: RA certificate: %w", err)
	}
	if d.raCert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	return d, nil
}

// RACert is the certificate the ETKs are signed with.
func (d *Depot) RACert() *x509.Certificate { return d.raCert }

// BuildETK makes an ETK as eHealth does: a DER CMS SignedData of enc's DER,
// signed by the ETK-RA, carrying certs (the authentication certificate and
// its chain).
func (d *Depot) BuildETK(enc *x509.Certificate, certs ...*x509.Certificate) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(enc.Raw)
	if err != nil {
		return nil, err
	}
	if err := sd.AddSigner(d.raCert, d.raKey, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	for _, c := range certs {
		sd.AddCertificate(c)
	}
	return sd.Finish()
}

// Publish makes enc the ETK of (ssin, applicationID) from now on; certs go
// into the CMS with it. It replaces any ETK or MatchingEtk list there.
func (d *Depot) Publish(ssin, applicationID string, enc *x509.Certificate, certs ...*x509.Certificate) error {
	etk, err := d.BuildETK(enc, certs...)
	if err != nil {
		return err
	}
	d.PublishRaw(ssin, applicationID, etk)
	return nil
}

// PublishAt makes enc the ETK of (ssin, applicationID) from at on (by
// Options.Now); until then the one published before stays. The demo keeps
// the old ETK a while after the renewal this way.
func (d *Depot) PublishAt(at time.Time, ssin, applicationID string, enc *x509.Certificate, certs ...*x509.Certificate) error {
	etk, err := d.BuildETK(enc, certs...)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.entry(Identifier{"SSIN", ssin, applicationID})
	e.versions = append(e.versions, version{from: at, etk: etk})
	slices.SortStableFunc(e.versions, func(a, b version) int { return a.from.Compare(b.from) })
	return nil
}

// PublishRaw serves etk, whatever its bytes, as the ETK of (ssin,
// applicationID) from now on: garbage, a CMS of something else, someone
// else's ETK.
func (d *Depot) PublishRaw(ssin, applicationID string, etk []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := Identifier{"SSIN", ssin, applicationID}
	d.entries[id] = &entry{versions: []version{{from: d.opts.Now(), etk: slices.Clone(etk)}}}
}

// SetMatching makes the depot answer a MatchingEtk list of ids when asked
// for (ssin, applicationID), instead of an ETK.
func (d *Depot) SetMatching(ssin, applicationID string, ids ...Identifier) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.entries[Identifier{"SSIN", ssin, applicationID}] = &entry{matching: slices.Clone(ids)}
}

// Unpublish removes what (ssin, applicationID) had: NO_MATCHING_ETK.
func (d *Depot) Unpublish(ssin, applicationID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.entries, Identifier{"SSIN", ssin, applicationID})
}

// SetFault makes the next answers fail with f; FaultNone restores normal
// answers. code and message refine FaultStatus, FaultError and FaultSOAP;
// empty means the default. Requests are recorded all the same.
func (d *Depot) SetFault(f Fault, code, message string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fault, d.faultCode, d.faultMessage = f, code, message
}

// Requests returns the requests received so far, oldest first.
func (d *Depot) Requests() []Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

// entry returns id's entry, made when missing; d.mu is held.
func (d *Depot) entry(id Identifier) *entry {
	e := d.entries[id]
	if e == nil {
		e = &entry{}
		d.entries[id] = e
	}
	return e
}

// lookup returns what id has at now: an ETK, a MatchingEtk list, or
// neither.
func (d *Depot) lookup(id Identifier, now time.Time) (etk []byte, matching []Identifier) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.entries[Identifier{"SSIN", id.Value, id.ApplicationID}]
	if e == nil || id.Type != "SSIN" {
		return nil, nil
	}
	for _, v := range e.versions {
		if !v.from.After(now) {
			etk = v.etk
		}
	}
	if etk != nil {
		return etk, nil
	}
	return nil, slices.Clone(e.matching)
}
