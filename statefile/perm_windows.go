package statefile

// permissiveFS is true on Windows, where Go reports 0666 for every file; the
// user profile's ACLs keep the state private there.
func permissiveFS() bool { return true }
