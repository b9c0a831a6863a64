package redisstore_test

import (
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant/granttest"
)

// TestGrantRoutes races confirm, webhook and poll for the same purchases on
// two game instances, each with its own client of one Redis, and runs two
// reconcilers over lost webhooks: each purchase is granted once.
func TestGrantRoutes(t *testing.T) {
	granttest.Run(t, func(t *testing.T) [2]dedup.Store {
		return [2]dedup.Store{newStore(t), newStore(t)}
	})
}
