package app

import (
	"context"
	"os/exec"
	"runtime"
)

// ExampleConfig is the commented example configuration, written when the
// practitioner opens Settings and no file exists yet. main sets it from the
// embedded config.toml.example.
var ExampleConfig []byte

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
