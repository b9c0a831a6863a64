package pgstore_test

import (
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant/granttest"
)

// TestGrantRoutes races confirm, webhook and poll for the same purchases on
// two game instances, each with its own pool on one table, and runs two
// reconcilers over lost webhooks: each purchase is granted once.
func TestGrantRoutes(t *testing.T) {
	granttest.Run(t, func(t *testing.T) [2]dedup.Store {
		table := newTable(t)
		return [2]dedup.Store{newStore(t, table), newStore(t, table)}
	})
}
