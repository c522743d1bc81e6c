package statefile

import "fmt"

// Why a state folder is refused (DirError.Reason).
const (
	ReasonSymlink     = "symlink"      // the folder itself is a symbolic link or junction
	ReasonNotFolder   = "not-a-folder" // something else than a folder has its name
	ReasonOtherOwner  = "other-owner"  // another user (or root) owns it
	ReasonUnavailable = "unavailable"  // it cannot be created, opened or made private
)

// DirError refuses a state folder that another user could read or change.
// The app then says so once and keeps its state in memory.
type DirError struct {
	Dir    string
	Reason string // one of the Reason constants
	Err    error  // the system error, for ReasonUnavailable
}

func (e *DirError) Error() string {
	switch e.Reason {
	case ReasonSymlink:
		return fmt.Sprintf("state folder %s is a symbolic link", e.Dir)
	case ReasonNotFolder:
		return fmt.Sprintf("state folder %s is not a folder", e.Dir)
	case ReasonOtherOwner:
		return fmt.Sprintf("state folder %s belongs to another user", e.Dir)
	}
	return fmt.Sprintf("state folder %s: %v", e.Dir, e.Err)
}

func (e *DirError) Unwrap() error { return e.Err }

// Kind is the CLI kind.
func (e *DirError) Kind() string { return "state-folder-refused" }

// PrepareDir makes dir ready for the state files, once at start: it creates
// it (0700) when missing, checks that it is a real folder owned by the user,
// and sets it to 0700 when it is more open. Anything else returns a
// *DirError, and nothing is written there. WriteAtomic and Remove check the
// folder again on each call, so a folder refused here stays refused.
func PrepareDir(dir string) error {
	d, err := openDir(dir, mkdir|tighten)
	if err != nil {
		return err
	}
	d.close()
	return nil
}

// dirMode says what openDir does besides checking the folder.
type dirMode int

const (
	mkdir   dirMode = 1 << iota // create it (0700) when missing
	tighten                     // set it to 0700 when it is more open
)

// CheckDir checks, without creating or changing anything, that dir is a real
// folder owned by the user; it returns a *DirError when it is not, and an
// error wrapping fs.ErrNotExist when it is missing. Files opened by path in
// a checked folder (the log) cannot be planted by someone else.
func CheckDir(dir string) error {
	d, err := openDir(dir, 0)
	if err != nil {
		return err
	}
	d.close()
	return nil
}
