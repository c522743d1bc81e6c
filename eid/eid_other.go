//go:build !linux && !darwin && !windows

package eid

// ModuleCandidates returns nothing: the eID middleware is not packaged for
// this system, so the module path must be configured.
func ModuleCandidates() []string { return nil }
