package stashpaytest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// NewEgressGetRequest returns a GET request to target with query, signed as
// Stash signs the webshop's egress calls (catalog, offer details, player):
// the v1 header over an empty body, at time at (the zero time for now). The
// query is not covered by the signature, as with Stash.
func NewEgressGetRequest(ctx context.Context, shopID, egressKey, target string, query url.Values, at time.Time) (*http.Request, error) {
	key, err := signing.NewKey([]byte(egressKey))
	if err != nil {
		return nil, fmt.Errorf("stashpaytest: egress key: %w", err)
	}
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("stashpaytest: egress request: %w", err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	req.Header.Set(V1SignatureHeader, key.SignV1(shopID, at, nil))
	return req, nil
}

// GetCatalog calls the game's GET /api/v1/catalog (at the egress URL) as
// Stash's webshop does, signed, and decodes the answer. The call is returned
// in every case; the error is set for a transport failure, a non-200 answer
// or an answer that does not decode.
func (s *Server) GetCatalog(ctx context.Context, query url.Values) (*stashpay.CatalogResponse, *EgressCall, error) {
	return egressGet[stashpay.CatalogResponse](s, ctx, "catalog", stashpay.CatalogPath, query)
}

// GetOfferDetails calls the game's GET /api/v1/catalog/offer, as
// [Server.GetCatalog] does.
func (s *Server) GetOfferDetails(ctx context.Context, query url.Values) (*stashpay.OfferDetailsResponse, *EgressCall, error) {
	return egressGet[stashpay.OfferDetailsResponse](s, ctx, "offer", stashpay.OfferDetailsPath, query)
}

// GetPlayer calls the game's GET /api/v1/player, as [Server.GetCatalog]
// does.
func (s *Server) GetPlayer(ctx context.Context, query url.Values) (*stashpay.PlayerResponse, *EgressCall, error) {
	return egressGet[stashpay.PlayerResponse](s, ctx, "player", stashpay.PlayerPath, query)
}

func egressGet[R any](s *Server, ctx context.Context, endpoint, path string, query url.Values) (*R, *EgressCall, error) {
	call := &EgressCall{Endpoint: endpoint, URL: strings.TrimRight(s.egressURL(), "/") + path}
	req, err := NewEgressGetRequest(ctx, s.cfg.shopID, s.cfg.egressKey, call.URL, query, s.cfg.now())
	if err != nil {
		call.Err = err.Error()
		return nil, call, err
	}
	req.Header.Set("User-Agent", "stashpaytest")
	status, body, took, err := s.exchange(req, 1<<20)
	call.Duration, call.StatusCode, call.Response = took, status, body
	if err != nil {
		call.Err = err.Error()
		return nil, call, err
	}
	if status != http.StatusOK {
		return nil, call, fmt.Errorf("stashpaytest: %s: %s", endpoint, call.describe())
	}
	out := new(R)
	if err := decodeObject(body, out); err != nil {
		return nil, call, fmt.Errorf("stashpaytest: %s: undecodable answer: %w", endpoint, err)
	}
	return out, call, nil
}
