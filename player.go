package stashpay

import (
	"context"
	"net/http"
	"net/url"
)

// PlayerRequest holds the query parameters of Stash's GET /api/v1/player
// call, read as [CatalogRequest]'s are (the signature does not cover them).
// PlayerID is required (a call without it is answered 400).
type PlayerRequest struct {
	// PlayerID is the player to describe. Required.
	PlayerID string
	// ShopID is the originating Stash shop, checked as in [CatalogRequest].
	ShopID string
	// Environment is the Stash environment; empty when not sent.
	Environment PaymentEnvironment
}

// PlayerFunc answers a player call. A nil response with a nil error answers
// 404 (no such player). An error answers 500 (logged, not sent).
type PlayerFunc func(ctx context.Context, req *PlayerRequest) (*PlayerResponse, error)

// PlayerHandler returns the http.Handler of [PlayerPath], as
// [CatalogHandler] does for the catalog. A nil fn or an invalid cfg panics.
func PlayerHandler(cfg EgressConfig, fn PlayerFunc) http.Handler {
	h := newEgressHandler(cfg, "PlayerHandler", fn == nil)
	return serveEgressQuery(h, "player", parsePlayerRequest, fn, nil)
}

func parsePlayerRequest(v url.Values) (*PlayerRequest, error) {
	q := &query{v: v}
	req := &PlayerRequest{
		PlayerID: q.get("playerId"), ShopID: q.get("shopId"),
		Environment: queryEnum[PaymentEnvironment](q, "environment", environmentNames),
	}
	switch {
	case q.err != nil:
		return nil, q.err
	case req.PlayerID == "":
		return nil, egressInvalid("playerId", "required")
	}
	return req, nil
}
