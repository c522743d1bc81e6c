// Package eid signs with the authentication key of a Belgian eID card
// through the card's PKCS#11 middleware (beidpkcs11). It finds the module,
// the card and its "Authentication" key and certificate, asks for the PIN
// only when the module wants the application to log in, and turns the
// module's failures into errors with a Kind for the CLI.
package eid

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// Defaults for Config.
const (
	DefaultTokenLabel = "BELPIC"
	DefaultKeyLabel   = "Authentication"
	// signatureKeyLabel is the card's qualified signature key. Signing a
	// session request with it would be a legally binding signature.
	signatureKeyLabel = "Signature"
)

// Config selects the module, the card and the key.
type Config struct {
	// Module is the PKCS#11 module path; "" finds it (see FindModule).
	Module string
	// TokenLabel is the card's token label; "" means DefaultTokenLabel.
	TokenLabel string
	// KeyLabel labels both the private key and its certificate; "" means
	// DefaultKeyLabel. "Signature" is refused.
	KeyLabel string
	// Logger receives which module and slot are used; nil = slog.Default().
	Logger *slog.Logger
	// ExpectedSSIN, when set, is the practitioner's national number: a card
	// whose certificate names another person (a patient's eID left in the
	// reader) is refused before any PIN is asked, so the practitioner's PIN
	// never counts against someone else's card.
	ExpectedSSIN string
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c Config) withDefaults() Config {
	if c.TokenLabel == "" {
		c.TokenLabel = DefaultTokenLabel
	}
	if c.KeyLabel == "" {
		c.KeyLabel = DefaultKeyLabel
	}
	return c
}

// PINFunc asks the user for the PIN. It is called at most once per Open, and
// only when the token has CKF_LOGIN_REQUIRED and no
// CKF_PROTECTED_AUTHENTICATION_PATH (otherwise the middleware asks). It
// returns ErrCanceled when the user cancels; other errors are returned by
// Open wrapped, so they should carry their own Kind. The returned slice is
// zeroed after use.
type PINFunc func(ctx context.Context) ([]byte, error)

// Card is an open eID card: a PKCS#11 session on its token, with the
// authentication key and certificate found. It is a crypto.Signer and is safe
// for concurrent use. Close it when done.
type Card struct {
	mu      sync.Mutex
	mod     *module // nil once closed
	slot    uint
	session pkcs11.SessionHandle
	key     pkcs11.ObjectHandle
	cert    *x509.Certificate
	// expectedSSIN is Config.ExpectedSSIN, checked while loading.
	expectedSSIN string
}

// Open loads the module, finds the card and its key and certificate, and logs
// in when the module requires it (asking pin for the PIN). A wrong PIN is
// never retried: the card blocks after three.
func Open(ctx context.Context, cfg Config, pin PINFunc) (*Card, error) {
	cfg = cfg.withDefaults()
	if cfg.KeyLabel == signatureKeyLabel {
		return nil, newError(KindCardError, "Refusing to use the eID's qualified Signature key", nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, newError(KindCanceled, "Opening the eID card was cancelled", err)
	}
	mod, err := acquireModule(cfg.Module)
	if err != nil {
		return nil, err
	}
	c, err := openCard(ctx, mod, cfg, pin)
	if err != nil {
		mod.release()
		return nil, err
	}
	return c, nil
}

func openCard(ctx context.Context, mod *module, cfg Config, pin PINFunc) (*Card, error) {
	slot, info, err := mod.findSlot(cfg.TokenLabel)
	if err != nil {
		return nil, err
	}
	cfg.logger().InfoContext(ctx, "eid: using card", "module", mod.path, "slot", slot, "token", cfg.TokenLabel, "key", cfg.KeyLabel)
	sh, err := mod.p.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, mod.fail("opening a session", err, slot, false)
	}
	c := &Card{mod: mod, slot: slot, session: sh, expectedSSIN: cfg.ExpectedSSIN}
	if err := c.load(ctx, cfg.KeyLabel, info.Flags, pin); err != nil {
		// The load error is the one that matters; closing the session
		// can only fail for the same reason.
		_ = mod.p.CloseSession(sh)
		return nil, err
	}
	return c, nil
}

// load reads the certificate, logs in and finds the matching private key.
// The certificate comes first: it is public, so no PIN is asked for a card
// that lacks it.
func (c *Card) load(ctx context.Context, label string, tokenFlags uint, pin PINFunc) error {
	obj, err := c.findObject("certificate", label, pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE))
	if err != nil {
		return err
	}
	attrs, err := c.mod.p.GetAttributeValue(c.session, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil {
		return c.mod.fail("reading the certificate", err, c.slot, false)
	}
	c.cert, err = x509.ParseCertificate(attrs[0].Value)
	if err != nil {
		return newError(KindCardError, fmt.Sprintf("The card's %s certificate cannot be parsed", label), err)
	}
	if want := c.expectedSSIN; want != "" && c.cert.Subject.SerialNumber != want {
		return &Error{kind: KindOtherPerson,
			msg: fmt.Sprintf("The eID card in the reader belongs to national number %s, not to %s: insert your own card", c.cert.Subject.SerialNumber, want)}
	}
	var keyType uint
	switch c.cert.PublicKey.(type) {
	case *rsa.PublicKey:
		keyType = pkcs11.CKK_RSA
	case *ecdsa.PublicKey:
		keyType = pkcs11.CKK_EC
	default:
		return newError(KindCardError, fmt.Sprintf("The card's %s certificate has an unsupported key type", label), nil)
	}
	if err := c.login(ctx, tokenFlags, pin); err != nil {
		return err
	}
	c.key, err = c.findObject("private key", label,
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType))
	return err
}

// findObject returns the first object labelled label that also matches attrs.
func (c *Card) findObject(what, label string, attrs ...*pkcs11.Attribute) (pkcs11.ObjectHandle, error) {
	template := append(attrs, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	if err := c.mod.p.FindObjectsInit(c.session, template); err != nil {
		return 0, c.mod.fail("searching the card", err, c.slot, false)
	}
	objs, _, err := c.mod.p.FindObjects(c.session, 1)
	if ferr := c.mod.p.FindObjectsFinal(c.session); err == nil {
		err = ferr
	}
	if err != nil {
		return 0, c.mod.fail("searching the card", err, c.slot, false)
	}
	if len(objs) == 0 {
		return 0, newError(KindKeyNotFound, fmt.Sprintf("The card has no %s labelled %q", what, label), nil)
	}
	return objs[0], nil
}

// login logs the user in when the module asks the application to. The eID
// middleware does not: it shows its own PIN dialog inside C_Sign.
func (c *Card) login(ctx context.Context, tokenFlags uint, pin PINFunc) error {
	login, ask := loginNeeds(tokenFlags)
	if !login {
		return nil
	}
	// The login belongs to the application, not the session: another open
	// Card on this token may have done it already.
	if si, err := c.mod.p.GetSessionInfo(c.session); err == nil && si.State == pkcs11.CKS_RO_USER_FUNCTIONS {
		return nil
	}
	var pinStr string
	if ask {
		b, err := askPIN(ctx, pin)
		if err != nil {
			return err
		}
		defer clear(b)
		// A string(b) copy could not be wiped; this one aliases b, which
		// is zeroed on return. (miekg/pkcs11 still makes a C copy it frees
		// without wiping.)
		pinStr = unsafe.String(unsafe.SliceData(b), len(b))
	}
	err := c.mod.p.Login(c.session, pkcs11.CKU_USER, pinStr)
	if err != nil && !hasCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return c.mod.fail("logging in", err, c.slot, false)
	}
	return nil
}

// loginNeeds tells from the token flags whether C_Login is needed, and
// whether the application must supply the PIN for it. With a protected
// authentication path the reader's PIN pad or the middleware's own dialog
// gets the PIN, and C_Login is called without one.
func loginNeeds(tokenFlags uint) (login, ask bool) {
	login = tokenFlags&pkcs11.CKF_LOGIN_REQUIRED != 0
	return login, login && tokenFlags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH == 0
}

// askPIN calls pin once.
func askPIN(ctx context.Context, pin PINFunc) ([]byte, error) {
	if pin == nil {
		return nil, newError(KindCardError, "The card needs a PIN but there is no way to ask for it", nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, newError(KindCanceled, "PIN entry was cancelled", err)
	}
	b, err := pin(ctx)
	if err == nil {
		return b, nil
	}
	clear(b)
	if errors.Is(err, ErrCanceled) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, newError(KindCanceled, "PIN entry was cancelled", err)
	}
	return nil, fmt.Errorf("eid: asking for the PIN: %w", err)
}

// Public returns the public key of the authentication certificate.
func (c *Card) Public() crypto.PublicKey { return c.cert.PublicKey }

// Certificate returns the card's authentication certificate.
func (c *Card) Certificate() *x509.Certificate { return c.cert }

// digestInfoPrefixes are the DER DigestInfo headers that CKM_RSA_PKCS
// expects before the hash (RFC 8017 §9.2, note 1).
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
}

// Sign signs digest with the card's key. RSA keys sign PKCS#1 v1.5 over
// SHA-1 or SHA-256; EC keys return an ASN.1 DER signature, as every
// crypto.Signer does. With the real middleware, this is where the PIN
// dialog appears.
func (c *Card) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	mech, data, err := c.signInput(digest, opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mod == nil {
		return nil, newError(KindCardError, "The eID card is closed", nil)
	}
	if err := c.mod.p.SignInit(c.session, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, c.key); err != nil {
		return nil, c.mod.fail("signing", err, c.slot, true)
	}
	sig, err := c.mod.p.Sign(c.session, data)
	if err != nil {
		return nil, c.mod.fail("signing", err, c.slot, true)
	}
	if pub, ok := c.cert.PublicKey.(*ecdsa.PublicKey); ok {
		return ecdsaDER(sig, (pub.Curve.Params().BitSize+7)/8)
	}
	return sig, nil
}

// signInput returns the mechanism and the bytes the card signs.
func (c *Card) signInput(digest []byte, opts crypto.SignerOpts) (uint, []byte, error) {
	h := opts.HashFunc()
	if h != 0 && len(digest) != h.Size() {
		return 0, nil, newError(KindCardError, fmt.Sprintf("eid: digest is %d bytes, not a %v hash", len(digest), h), nil)
	}
	if _, ok := c.cert.PublicKey.(*ecdsa.PublicKey); ok {
		return pkcs11.CKM_ECDSA, digest, nil
	}
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return 0, nil, newError(KindCardError, "eid: RSA-PSS signatures are not supported", nil)
	}
	prefix, ok := digestInfoPrefixes[h]
	if !ok {
		return 0, nil, newError(KindCardError, fmt.Sprintf("eid: RSA signing with hash %v is not supported", h), nil)
	}
	return pkcs11.CKM_RSA_PKCS, slices.Concat(prefix, digest), nil
}

// ecdsaDER converts the card's raw r||s signature (size bytes each) to the
// ASN.1 DER form.
func ecdsaDER(raw []byte, size int) ([]byte, error) {
	if len(raw) != 2*size {
		return nil, newError(KindCardError, fmt.Sprintf("eid: the card returned a %d-byte ECDSA signature, want %d", len(raw), 2*size), nil)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(raw[:size]),
		new(big.Int).SetBytes(raw[size:]),
	})
}

// Close ends the session and, if no other Card uses it, unloads the module.
// Closing twice is harmless.
func (c *Card) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mod == nil {
		return nil
	}
	var err error
	if cerr := c.mod.p.CloseSession(c.session); cerr != nil {
		err = c.mod.fail("closing the session", cerr, c.slot, true)
	}
	c.mod.release()
	c.mod = nil
	return err
}

// Present tells whether the card is in a reader, by one poll of the slot
// list (WaitForSlotEvent loses its return code in miekg/pkcs11). A missing
// card is (false, nil); a missing module or reader is an error.
func Present(ctx context.Context, cfg Config) (bool, error) {
	cfg = cfg.withDefaults()
	mod, err := acquireModule(cfg.Module)
	if err != nil {
		return false, err
	}
	defer mod.release()
	_, _, err = mod.findSlot(cfg.TokenLabel)
	var eerr *Error
	if errors.As(err, &eerr) && eerr.Kind() == KindNoCard {
		cfg.logger().DebugContext(ctx, "eid: no card", "module", mod.path, "token", cfg.TokenLabel)
		return false, nil
	}
	return err == nil, err
}
