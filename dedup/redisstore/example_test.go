package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/redisstore"
)

// Every instance of the game backend builds the same store on the shared
// Redis; dedup.Do then grants each order once across all of them.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	store, err := redisstore.New(rdb, redisstore.WithPrefix("mygame:dedup:"))
	if err != nil {
		log.Fatal(err)
	}
	res, err := dedup.Do(context.Background(), store, "order-42", time.Minute, func(ctx context.Context) error {
		// Give the player the items of order-42 here.
		return nil
	})
	fmt.Println(res, err)
}
