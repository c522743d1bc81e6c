package etk

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"strings"

	"ehealth-tray/cert"
	"ehealth-tray/soap"
)

// soapAction is GetEtk's: the depot's WSDL gives none.
const soapAction = ""

// Options configure a Client: the SOAP layer's options, the depot's URL
// (config.Config.ETKURL) and the [sts] timeout and ca_file. TraceName is
// "etk" unless set.
type Options = soap.Options

// Client asks the EtkDepot for published ETKs (GetEtk, plain SOAP over
// HTTPS, no message security).
type Client struct {
	soap *soap.Client
	log  *slog.Logger
}

// Token is one ETK published for a practitioner.
type Token struct {
	// ApplicationID is "" for the personal ETK, else the application the
	// depot listed it for in a MatchingEtk.
	ApplicationID string
	// Cert is the encryption certificate the ETK carries.
	Cert *x509.Certificate
}

// NewClient checks the options; errors are the soap package's *ConfigError.
func NewClient(o Options) (*Client, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	o.Logger = log
	if o.TraceName == "" {
		o.TraceName = "etk"
	}
	sc, err := soap.New(o)
	if err != nil {
		return nil, err
	}
	return &Client{soap: sc, log: log}, nil
}

// Fetch returns the ETKs published for the practitioner with this SSIN: one
// as a rule; one per entry when the depot answers a MatchingEtk list, each
// asked again with its ApplicationID, as the Technical Connector does; none
// when the depot answers NO_MATCHING_ETK. Errors: *ResponseError,
// *UnavailableError, and the soap package's *NetworkError, *TimeoutError,
// *TLSError, or ctx's error.
func (c *Client) Fetch(ctx context.Context, ssin string) ([]Token, error) {
	own := identifier{Type: typeSSIN, Value: ssin}
	a, err := c.get(ctx, own)
	switch {
	case err != nil || a.notFound:
		return nil, err
	case a.etk != nil:
		t, err := token(a.etk, own)
		if err != nil {
			return nil, err
		}
		return []Token{t}, nil
	}
	return c.followMatching(ctx, own, a.matching)
}

// followMatching asks for each MatchingEtk entry of own's answer. The
// answers must be ETKs: a list answering a list, or naming own itself,
// would go round forever.
func (c *Client) followMatching(ctx context.Context, own identifier, list []identifier) ([]Token, error) {
	var tokens []Token
	asked := map[identifier]bool{own: true}
	for _, id := range list {
		switch {
		case id == own:
			return nil, &ResponseError{Reason: "MatchingEtk loop: the list names the query itself"}
		case asked[id]:
			continue
		case !strings.EqualFold(id.Type, own.Type) || id.Value != own.Value:
			c.log.Warn("ETK depot: MatchingEtk entry for another identifier ignored", "type", clip(id.Type))
			continue
		}
		asked[id] = true
		a, err := c.get(ctx, id)
		switch {
		case err != nil:
			return nil, err
		case a.notFound:
			continue
		case a.etk == nil:
			return nil, &ResponseError{Reason: "MatchingEtk loop: a MatchingEtk entry answered with another list"}
		}
		t, err := token(a.etk, id)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	c.log.Debug("ETK depot: MatchingEtk list followed", "entries", len(list), "etks", len(tokens))
	return tokens, nil
}

// get asks the depot for id's ETK.
func (c *Client) get(ctx context.Context, id identifier) (answer, error) {
	resp, err := c.soap.Call(ctx, soapAction, newRequest(id))
	if err != nil {
		return answer{}, classify(err)
	}
	payload, err := resp.Payload()
	if err != nil {
		return answer{}, classify(err)
	}
	return parseAnswer(payload)
}

// token decodes an ETK asked for id and checks that it is id's.
func token(der []byte, id identifier) (Token, error) {
	c, err := DecodeETK(der)
	if err != nil {
		return Token{}, err
	}
	if ssin := cert.IdentityOf(c, "").SSIN; ssin != id.Value {
		return Token{}, &ResponseError{Reason: fmt.Sprintf("ETK for SSIN %q, asked for %s", clip(ssin), id.Value)}
	}
	return Token{ApplicationID: id.ApplicationID, Cert: c}, nil
}
