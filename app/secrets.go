package app

import (
	"context"

	"ehealth-tray/prompt"
)

// PromptSecrets asks for the password and PIN through desktop dialogs.
type PromptSecrets struct {
	Prompter prompt.Prompter
	// Hint is added to the password dialog (the demo shows its password there).
	Hint string
}

// KeystorePassword asks the certificate password.
func (s PromptSecrets) KeystorePassword(ctx context.Context, path string) ([]byte, error) {
	desc := "Password of your eHealth certificate\n" + path
	if s.Hint != "" {
		desc += "\n\n" + s.Hint
	}
	return s.Prompter.Secret(ctx, prompt.Request{Title: "eHealth", Description: desc, Prompt: "Password:"})
}

// PIN asks the eID PIN. Never called twice for one signature: a wrong PIN is
// reported, not retried.
func (s PromptSecrets) PIN(ctx context.Context) ([]byte, error) {
	desc := "PIN code of your eID card"
	if s.Hint != "" {
		desc += "\n\n" + s.Hint
	}
	return s.Prompter.Secret(ctx, prompt.Request{Title: "eID", Description: desc, Prompt: "PIN:"})
}
