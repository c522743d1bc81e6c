package app

import (
	"context"
	"os/exec"
	"runtime"
)

// OpenWithDesktop opens a URL or file with the desktop's default program.
func OpenWithDesktop(ctx context.Context, target string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", target)
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", target)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", target)
	}
	return cmd.Start()
}

// RenewalURL is eHealth's page on certificates: how to renew with the eHealth
// Certificate Manager, in the practitioner's language.
func RenewalURL(lang string) string {
	if lang == "nl" {
		return "https://www.ehealth.fgov.be/ehealthplatform/nl/service-ehealth-certificaten"
	}
	return "https://www.ehealth.fgov.be/ehealthplatform/fr/service-certificats-ehealth"
}
