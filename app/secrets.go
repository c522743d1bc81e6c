package app

import (
	"context"

	"ehealth-tray/i18n"
	"ehealth-tray/prompt"
)

// PromptSecrets asks for the password and PIN through desktop dialogs.
type PromptSecrets struct {
	Prompter prompt.Prompter
	// Hint is added to the password dialog (the demo shows its password there).
	Hint string
	// Localizer words the dialogs (nil = English).
	Localizer *i18n.Localizer
}

// KeystorePassword asks the certificate password.
func (s PromptSecrets) KeystorePassword(ctx context.Context, path string) ([]byte, error) {
	desc := s.Localizer.T("dialog.password", map[string]any{"Path": path})
	if s.Hint != "" {
		desc += "\n\n" + s.Hint
	}
	return s.Prompter.Secret(ctx, prompt.Request{Title: "eHealth", Description: desc, Prompt: s.Localizer.T("dialog.password-prompt")})
}

// PIN asks the eID PIN. Never called twice for one signature: a wrong PIN is
// reported, not retried.
func (s PromptSecrets) PIN(ctx context.Context) ([]byte, error) {
	desc := s.Localizer.T("dialog.pin")
	if s.Hint != "" {
		desc += "\n\n" + s.Hint
	}
	return s.Prompter.Secret(ctx, prompt.Request{Title: "eID", Description: desc, Prompt: s.Localizer.T("dialog.pin-prompt")})
}
