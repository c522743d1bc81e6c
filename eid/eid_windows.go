package eid

import (
	"os"
	"path/filepath"
)

// ModuleCandidates lists where the eID middleware installs its PKCS#11
// module on this system, most likely first.
func ModuleCandidates() []string {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	return []string{filepath.Join(root, "System32", "beidpkcs11.dll")}
}
