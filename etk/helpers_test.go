package etk

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ehealth-tray/cert/certtest"
	"ehealth-tray/etk/etktest"
)

const (
	testSSIN  = "79021802145"
	otherSSIN = "75031712390"
	password  = "s3cret"
)

// RSA-2048 generation is slow: the tests share these keystores.
var shared = sync.OnceValues(func() (*world, error) {
	keys := make([]*rsa.PrivateKey, 4)
	for i := range keys {
		var err error
		if keys[i], err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	ca, err := certtest.NewCA(false)
	if err != nil {
		return nil, err
	}
	mk := func(ssin string, enc *rsa.PrivateKey) (*certtest.Fixture, error) {
		return certtest.New(certtest.Options{SSIN: ssin, CA: ca, AuthKey: keys[0], EncKeys: []*rsa.PrivateKey{enc}, Password: password})
	}
	w := &world{}
	if w.old, err = mk(testSSIN, keys[1]); err != nil {
		return nil, err
	}
	if w.renewed, err = mk(testSSIN, keys[2]); err != nil {
		return nil, err
	}
	if w.other, err = mk(otherSSIN, keys[3]); err != nil {
		return nil, err
	}
	if w.stray, err = mk(testSSIN, keys[3]); err != nil {
		return nil, err
	}
	return w, nil
})

// world is a practitioner's old and renewed keystores, someone else's, and
// a stray one of the practitioner's that is never in their folder.
type world struct {
	old, renewed, other, stray *certtest.Fixture
}

func fixtures(t testing.TB) *world {
	t.Helper()
	w, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// keystoreDir writes the old keystore (a year old) and the renewed one
// (from yesterday) into a fresh folder and returns their paths.
func keystoreDir(t *testing.T, w *world) (dir, oldPath, renewedPath string) {
	t.Helper()
	dir = t.TempDir()
	now := time.Now()
	var err error
	if oldPath, err = w.old.WriteFile(dir, now.AddDate(-1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if renewedPath, err = w.renewed.WriteFile(dir, now.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	return dir, oldPath, renewedPath
}

// depot starts a simulator over HTTPS and a client that trusts it through
// a CA file, as [sts] ca_file does.
func depot(t *testing.T) (*etktest.Server, *Client) {
	t.Helper()
	srv, err := etktest.New(etktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(Options{URL: srv.URL, Timeout: 10 * time.Second, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// publish publishes f's encryption certificate as ssin's ETK, with f's
// authentication certificate and CA in the CMS, as eHealth does.
func publish(t *testing.T, srv *etktest.Server, ssin, appID string, f *certtest.Fixture) {
	t.Helper()
	if err := srv.Publish(ssin, appID, f.EncCerts[0], f.AuthCert, f.CA.Cert); err != nil {
		t.Fatal(err)
	}
}
