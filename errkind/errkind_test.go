package errkind

import (
	"errors"
	"fmt"
	"testing"
)

type kinded struct{}

func (kinded) Error() string { return "x" }
func (kinded) Kind() string  { return "wrong-password" }

func TestOf(t *testing.T) {
	if got := Of(fmt.Errorf("opening: %w", kinded{})); got != "wrong-password" {
		t.Fatal(got)
	}
	if got := Of(errors.New("plain")); got != "" {
		t.Fatal(got)
	}
	if got := Of(nil); got != "" {
		t.Fatal(got)
	}
}
