//go:build !windows

package statefile

// isSharingViolation is always false: Unix files are not locked against
// opening, renaming or removing.
func isSharingViolation(error) bool { return false }
