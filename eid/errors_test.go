package eid

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"

	"ehealth-tray/errkind"
)

// SoftHSM never blocks a user PIN (see TestWrongPIN), so CKR_PIN_LOCKED and
// the other card states are checked on the mapping itself.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code    uint
		inUse   bool
		flags   uint
		kind    string
		message string
	}{
		{pkcs11.CKR_TOKEN_NOT_PRESENT, false, 0, KindNoCard, "No card"},
		{pkcs11.CKR_TOKEN_NOT_PRESENT, true, 0, KindCardRemoved, "removed"},
		{pkcs11.CKR_DEVICE_REMOVED, true, 0, KindCardRemoved, "removed"},
		{pkcs11.CKR_SESSION_HANDLE_INVALID, true, 0, KindCardRemoved, "removed"},
		{pkcs11.CKR_OBJECT_HANDLE_INVALID, true, 0, KindCardRemoved, "removed"},
		{pkcs11.CKR_OBJECT_HANDLE_INVALID, false, 0, KindCardError, "CKR_OBJECT_HANDLE_INVALID"},
		{pkcs11.CKR_TOKEN_NOT_RECOGNIZED, false, 0, KindCardUnknown, "not a Belgian eID"},
		{pkcs11.CKR_FUNCTION_CANCELED, true, 0, KindCanceled, "cancelled"},
		{pkcs11.CKR_PIN_INCORRECT, false, 0, KindPINIncorrect, "Wrong PIN"},
		{pkcs11.CKR_PIN_INCORRECT, true, pkcs11.CKF_USER_PIN_COUNT_LOW, KindPINIncorrect, "2 tries left"},
		{pkcs11.CKR_PIN_INCORRECT, true, pkcs11.CKF_USER_PIN_COUNT_LOW | pkcs11.CKF_USER_PIN_FINAL_TRY, KindPINIncorrect, "last try"},
		{pkcs11.CKR_PIN_LOCKED, true, 0, KindPINLocked, "blocked"},
		{pkcs11.CKR_GENERAL_ERROR, true, 0, KindCardError, "CKR_GENERAL_ERROR"},
	} {
		// Wrapped, as errors.As must see through wrapping.
		err := fmt.Errorf("signing: %w", pkcs11.Error(tc.code))
		got := classify("signing", err, tc.inUse, tc.flags)
		if got.Kind() != tc.kind || !strings.Contains(got.Error(), tc.message) {
			t.Errorf("classify(%v, inUse=%v, flags=%#x) = %q %q, want kind %q with %q",
				pkcs11.Error(tc.code), tc.inUse, tc.flags, got.Kind(), got, tc.kind, tc.message)
		}
		if !errors.Is(got, pkcs11.Error(tc.code)) {
			t.Errorf("classify(%v) does not wrap the PKCS#11 error", pkcs11.Error(tc.code))
		}
	}
	if got := classify("x", errors.New("boom"), true, 0); got.Kind() != KindCardError {
		t.Errorf("classify(non-PKCS#11 error) kind %q, want %q", got.Kind(), KindCardError)
	}
}

// The real eID middleware does not set CKF_LOGIN_REQUIRED and asks for the
// PIN inside C_Sign; SoftHSM always sets it, so this decision is checked here.
func TestLoginNeeds(t *testing.T) {
	for _, tc := range []struct {
		flags      uint
		login, ask bool
	}{
		{pkcs11.CKF_TOKEN_INITIALIZED, false, false}, // beidpkcs11
		{pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH, false, false},
		{pkcs11.CKF_LOGIN_REQUIRED, true, true}, // SoftHSM
		{pkcs11.CKF_LOGIN_REQUIRED | pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH, true, false},
	} {
		if login, ask := loginNeeds(tc.flags); login != tc.login || ask != tc.ask {
			t.Errorf("loginNeeds(%#x) = %v, %v; want %v, %v", tc.flags, login, ask, tc.login, tc.ask)
		}
	}
}

type kindErr struct{}

func (kindErr) Error() string { return "no pinentry" }
func (kindErr) Kind() string  { return "pinentry-missing" }

func TestAskPIN(t *testing.T) {
	if _, err := askPIN(context.Background(), nil); err == nil {
		t.Error("askPIN with no PINFunc succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, err := askPIN(ctx, func(context.Context) ([]byte, error) { called = true; return []byte("1"), nil })
	if called || errkind.Of(err) != KindCanceled {
		t.Errorf("askPIN on a cancelled context: called=%v err=%v", called, err)
	}
	for _, tc := range []struct {
		err  error
		kind string
	}{
		{ErrCanceled, KindCanceled},
		{fmt.Errorf("pinentry: %w", ErrCanceled), KindCanceled},
		{context.DeadlineExceeded, KindCanceled},
		{kindErr{}, "pinentry-missing"}, // the prompt's own kind shows through
	} {
		leftover := []byte("12")
		_, err := askPIN(context.Background(), func(context.Context) ([]byte, error) { return leftover, tc.err })
		if errkind.Of(err) != tc.kind {
			t.Errorf("askPIN with PINFunc error %v: %v (kind %q), want kind %q", tc.err, err, errkind.Of(err), tc.kind)
		}
		if string(leftover) != "\x00\x00" {
			t.Errorf("askPIN did not zero the PIN returned with error %v", tc.err)
		}
	}
}

func TestECDSADER(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 96) // what the card returns: r||s, 48 bytes each
	r.FillBytes(raw[:48])
	s.FillBytes(raw[48:])
	der, err := ecdsaDER(raw, 48)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], der) {
		t.Error("converted signature does not verify")
	}
	if _, err := ecdsaDER(raw[:95], 48); err == nil {
		t.Error("ecdsaDER accepted a 95-byte signature for P-384")
	}
}
