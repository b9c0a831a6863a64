package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
)

// Every instance of the game backend builds the same store on the shared
// database; dedup.Do then grants each order once across all of them.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://game@127.0.0.1:5432/game")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := pgstore.New(pool)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil { // once, at start-up
		log.Fatal(err)
	}
	res, err := dedup.Do(ctx, store, "order-42", time.Minute, func(ctx context.Context) error {
		// Give the player the items of order-42 here.
		return nil
	})
	fmt.Println(res, err)
}

// The strongest pattern: when the game's inventory lives in the same
// database, claim the order and grant the items in one transaction. Either
// both commit or neither does, whatever crashes and however often Stash
// redelivers; a webhook handler answers 200 for Claimed (after commit) and
// Done, and non-2xx otherwise so that Stash retries.
func ExampleStore_ClaimTx() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://game@127.0.0.1:5432/game")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := pgstore.New(pool)
	if err != nil {
		log.Fatal(err)
	}

	grant := func(ctx context.Context, orderID, playerID, itemID string, qty int) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) // no-op after Commit
		out, err := store.ClaimTx(ctx, tx, orderID)
		if err != nil {
			return err
		}
		switch out {
		case dedup.Done:
			return nil // granted by an earlier delivery
		case dedup.Busy:
			return dedup.ErrBusy // a lease holds it: let Stash retry
		}
		_, err = tx.Exec(ctx,
			`INSERT INTO inventory (player_id, item_id, qty) VALUES ($1, $2, $3)
			 ON CONFLICT (player_id, item_id) DO UPDATE SET qty = inventory.qty + EXCLUDED.qty`,
			playerID, itemID, qty)
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	if err := grant(ctx, "order-42", "player-7", "gems_100", 1); err != nil {
		log.Print(err)
	}
}
