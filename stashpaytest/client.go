package stashpaytest

import (
	stashpay "github.com/stashpay/stashpay-go"
)

// Credentials returns the v1 credentials the fake accepts: its shop ID and
// ingress key.
func (s *Server) Credentials() stashpay.Credentials {
	return stashpay.Credentials{ShopID: s.cfg.shopID, IngressKey: s.cfg.ingressKey}
}

// NewClient returns a stashpay.Client talking to the fake with its
// credentials (see [Server.Credentials]). opts are applied after the fake's
// base URL, so a test may add WithHTTPClient, WithMaxRetries and so on.
func (s *Server) NewClient(opts ...stashpay.Option) (*stashpay.Client, error) {
	all := append([]stashpay.Option{stashpay.WithBaseURL(s.URL())}, opts...)
	return stashpay.NewClient(s.Credentials(), all...)
}

// EgressConfig returns a stashpay.EgressConfig whose shop ID and egress key
// match the fake's, for the game's purchase handlers under test. Set its
// other fields (Store, KeyFunc, ...) as the game does.
func (s *Server) EgressConfig() stashpay.EgressConfig {
	return stashpay.EgressConfig{ShopID: s.cfg.shopID, EgressKey: s.cfg.egressKey}
}
