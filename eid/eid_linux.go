package eid

import (
	"path/filepath"
	"runtime"
)

// multiarchTriplets maps GOARCH to the Debian multiarch directory name.
var multiarchTriplets = map[string]string{
	"amd64":   "x86_64-linux-gnu",
	"386":     "i386-linux-gnu",
	"arm64":   "aarch64-linux-gnu",
	"arm":     "arm-linux-gnueabihf",
	"ppc64le": "powerpc64le-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
	"s390x":   "s390x-linux-gnu",
}

// ModuleCandidates lists where the eID middleware installs its PKCS#11
// module on this system, most likely first.
func ModuleCandidates() []string {
	var paths []string
	triplet, ok := multiarchTriplets[runtime.GOARCH]
	if ok {
		paths = append(paths, filepath.Join("/usr/lib", triplet, "libbeidpkcs11.so.0"))
	}
	// /usr/lib64 is where the Fedora and openSUSE packages put it.
	paths = append(paths, "/usr/lib/libbeidpkcs11.so.0", "/usr/lib64/libbeidpkcs11.so.0")
	if ok {
		paths = append(paths, filepath.Join("/usr/lib", triplet, "pkcs11", "beidpkcs11.so"))
	}
	return paths
}
