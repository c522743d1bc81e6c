package i18n

import (
	"context"
	"os/exec"
	"strings"
	"time"
)

// osLocale is the macOS user locale ("fr_BE"), "" when unknown. Apps started
// from the Finder get no LANG, so the preference is read directly.
func osLocale() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "defaults", "read", "-g", "AppleLocale").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
