package etk

import (
	"context"
	"crypto"
	"log/slog"
	"path/filepath"

	"ehealth-tray/cert"
)

// Checker checks the ETK eHealth publishes for a practitioner against their
// keystores. The tray and the CLI share it.
type Checker struct {
	Client *Client
	// Log gets the keystores skipped; nil = slog.Default().
	Log *slog.Logger
}

// Input is what one check is about.
type Input struct {
	// SSIN is the practitioner's SSIN (the NISS of the settings), 11 digits.
	SSIN string
	// KeystorePath is the keystore in use.
	KeystorePath string
	// Files is the keystore folder as cert.Discover lists it: the other
	// keystores of SSIN in the same environment tell "not activated" from
	// "mismatch".
	Files []cert.File
	// Password of the keystore in use, optional: with it the public keys
	// are compared too. The Checker does not keep or zero it.
	Password []byte
}

// Check reads the keystores, asks the depot and compares. The Result's
// Keystore is set whenever the keystore in use could be read, even with an
// error. Errors: the cert package's for the keystore in use (a wrong
// password among them), and Client.Fetch's.
func (c *Checker) Check(ctx context.Context, in Input) (Result, error) {
	inUse, err := readKeystore(in.KeystorePath, in.Password)
	if err != nil {
		return Result{}, err
	}
	others := c.otherKeystores(in)
	tokens, err := c.Client.Fetch(ctx, in.SSIN)
	if err != nil {
		return Result{Keystore: inUse}, err
	}
	return Compare(tokens, inUse, others), nil
}

// readKeystore reads a keystore's aliases and, given the password, its
// encryption keys' public keys, from the certificates paired with them.
func readKeystore(path string, password []byte) (Keystore, error) {
	aliases, err := cert.EncryptionKeyAliasesFile(path)
	if err != nil {
		return Keystore{}, err
	}
	k := Keystore{Path: path, Aliases: aliases}
	if f, ok := cert.ParseName(filepath.Base(path)); ok {
		k.Created = f.Created
	}
	if password == nil {
		return k, nil
	}
	ks, err := cert.Open(path, password)
	if err != nil {
		return Keystore{}, err
	}
	k.Keys = make(map[string]crypto.PublicKey, len(ks.EncryptionCerts))
	for alias, c := range ks.EncryptionCerts {
		k.Keys[alias] = c.PublicKey
	}
	return k, nil
}

// otherKeystores reads the aliases of in's other keystores of the same SSIN
// and environment; an unreadable one is logged and left out.
func (c *Checker) otherKeystores(in Input) []Keystore {
	env := ""
	if f, ok := cert.ParseName(filepath.Base(in.KeystorePath)); ok {
		env = f.Environment
	}
	var out []Keystore
	for _, f := range in.Files {
		if f.SSIN != in.SSIN || f.Path == in.KeystorePath || (env != "" && f.Environment != env) {
			continue
		}
		aliases, err := cert.EncryptionKeyAliasesFile(f.Path)
		if err != nil {
			c.log().Warn("ETK check: keystore left out", "path", f.Path, "err", err)
			continue
		}
		out = append(out, Keystore{Path: f.Path, Created: f.Created, Aliases: aliases})
	}
	return out
}

func (c *Checker) log() *slog.Logger {
	if c.Log == nil {
		return slog.Default()
	}
	return c.Log
}
