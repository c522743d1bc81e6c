package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ehealth-tray/cert"
	"ehealth-tray/config"
	"ehealth-tray/i18n"
	"ehealth-tray/icons"
	"ehealth-tray/prompt"
	"ehealth-tray/session"
	"ehealth-tray/soap"
	"ehealth-tray/sts"
	"ehealth-tray/tray"
)

// TestCoreInFrench: the menu, tooltip, dialogs, reminder and certificate
// line in French, with Belgian dates and plurals.
func TestCoreInFrench(t *testing.T) {
	r := newRig(t)
	r.loc = i18n.New("fr")
	now := r.clock.Now()
	path := r.keystore(ssin, now.Add(7*24*time.Hour-time.Hour), now.AddDate(-3, 0, 0))
	id := r.imported(path)
	r.start()
	defer r.stop()

	s := r.wait("certificate line", func(s tray.State) bool { return strings.Contains(s.Cert, "6 jours") })
	wantCert := "Certificat jusqu'au " + id.NotAfter.Local().Format("02/01/2006") + " (6 jours)"
	if s.Cert != wantCert || s.Tooltip != "Pas de session eHealth" || s.Fallback.Label != "Procédure de secours (mot de passe)…" ||
		s.Settings != "Paramètres…" || s.Quit != "Quitter" || s.Autostart.Label != "Démarrer avec ma session" {
		t.Fatalf("%+v", s)
	}
	if r.notes.count("Le certificat eHealth expire dans 6 jours") != 1 {
		t.Fatalf("reminder: %+v", r.notes.sent)
	}

	r.click(tray.CmdFallback)
	s = r.wait("green", func(s tray.State) bool { return s.Icon == icons.KindActive })
	if !strings.HasPrefix(s.Tooltip, "Session eHealth active jusqu'à ") || !strings.HasSuffix(s.Tooltip, " (procédure de secours)") ||
		s.Stop.Label != "Arrêter la session" || !strings.HasPrefix(s.Status, "Test — Session eHealth active") {
		t.Fatalf("%+v", s)
	}
	r.prompter.mu.Lock()
	asked := strings.Join(r.prompter.asked, "\n")
	r.prompter.mu.Unlock()
	if !strings.Contains(asked, "procédure de secours") || !strings.Contains(asked, "Mot de passe de votre certificat eHealth\n"+path) {
		t.Fatalf("dialogs: %q", asked)
	}
}

// TestCoreInDutchWithoutProvider: the problem and the empty status line.
func TestCoreInDutchWithoutProvider(t *testing.T) {
	r := newRig(t)
	r.loc = i18n.New("nl")
	r.cfg.Providers = nil
	r.cfg.Path = filepath.Join(r.dir, "config.toml") // a settings file without a provider: not a first run
	r.start()
	defer r.stop()
	s := r.wait("problem", func(s tray.State) bool { return s.Tooltip != "" })
	if s.Icon != icons.KindProblem || s.Tooltip != "eHealth: geen zorgverlener ingesteld — open Instellingen…" ||
		s.Status != "Geen zorgverlener — geen zorgverlener ingesteld — open Instellingen…" || s.EID.Tooltip != "Kies eerst een zorgverlener" {
		t.Fatalf("%+v", s)
	}
}

// TestErrorMessageTranslated: typed errors by kind, STS faults with their
// code and message verbatim, the Opener's own checks with localized dates.
func TestErrorMessageTranslated(t *testing.T) {
	fr, nl, de := i18n.New("fr"), i18n.New("nl"), i18n.New("de")
	fault := fmt.Errorf("open: %w", &sts.STSFault{Code: "SOA-01001", Message: "Unauthenticated call"})
	for _, tc := range []struct {
		loc  *i18n.Localizer
		err  error
		want []string
	}{
		{fr, fault, []string{"eHealth a refusé la session : SOA-01001 Unauthenticated call — eHealth n'a pas pu authentifier la demande"}},
		{nl, &sts.STSFault{Code: "SOA-99999", Message: "Odd"}, []string{"SOA-99999 Odd — eHealth gaf een fout die deze toepassing niet kent"}},
		{de, &sts.STSStatusError{Code: "urn:oasis:names:tc:SAML:1.0:status:Requester", Message: "bad"}, []string{"abgelehnt: urn:oasis:names:tc:SAML:1.0:status:Requester bad"}},
		{nl, fmt.Errorf("keystore: %w", cert.ErrWrongPassword), []string{"Verkeerd wachtwoord voor het eHealth-certificaat"}},
		{fr, &soap.NetworkError{URL: "https://sts", Err: errors.New("connection refused")}, []string{"eHealth est injoignable : vérifiez la connexion internet et réessayez"}},
		{fr, &sts.UnavailableError{URL: "https://sts", Status: 503}, []string{"eHealth est temporairement indisponible (HTTP 503)"}},
		{de, prompt.ErrNoProgram, []string{"Kein Programm für die Passworteingabe gefunden"}},
		{fr, errors.New("something odd"), []string{"something odd"}},
		{nil, cert.ErrNotKeystore, []string{"This file is not an eHealth certificate"}},
	} {
		got := ErrorMessage(tc.loc, tc.err)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v in %s: %q lacks %q", tc.err, tc.loc.Lang(), got, w)
			}
		}
	}

	// An expired keystore: the Opener's check, English in Error(), German
	// with a German date through ErrorMessage.
	r := newRig(t)
	now := r.clock.Now()
	notAfter := now.AddDate(0, 0, -3)
	path := r.keystore(ssin, notAfter, now.AddDate(-1, 0, 0))
	cfg := config.Default()
	op := &Opener{Config: &cfg, Provider: r.cfg.Providers[0], KeystorePath: path, Secrets: PromptSecrets{Prompter: r.prompter}, Now: r.clock.Now}
	_, err := op.Open(context.Background(), session.MethodFallback)
	var k interface{ Kind() string }
	if !errors.As(err, &k) || k.Kind() != "certificate-expired" || !strings.Contains(err.Error(), notAfter.Local().Format("2006-01-02")) {
		t.Fatalf("%v", err)
	}
	if got := ErrorMessage(de, err); got != "Zertifikat am "+notAfter.Local().Format("02.01.2006")+" abgelaufen: Beantragen Sie ein neues mit dem eHealth Certificate Manager" {
		t.Fatalf("%q", got)
	}
}
