package eid

// ModuleCandidates lists where the eID middleware installs its PKCS#11
// module on this system, most likely first.
func ModuleCandidates() []string {
	return []string{
		"/Library/Belgium Identity Card/Pkcs11/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib",
		"/usr/local/lib/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib",
	}
}
