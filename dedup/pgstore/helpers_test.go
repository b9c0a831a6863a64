package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup/pgstore"
)

// urlEnv names the variable that points the tests at a disposable database.
const urlEnv = "STASHPAY_TEST_DATABASE_URL"

// inCI reports whether the tests run in CI, where a missing server is a
// failure rather than a reason to skip.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// databaseURL returns STASHPAY_TEST_DATABASE_URL. Without it, it skips the
// test, except in CI, where it fails it.
func databaseURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(urlEnv)
	if url == "" {
		if inCI() {
			t.Fatalf("%s is not set but CI is: the PostgreSQL store tests must run in CI (.ci/stores.sh starts a server)", urlEnv)
		}
		t.Skipf("%s is not set: skipping the PostgreSQL store tests (run .ci/stores.sh, or set it to a disposable database, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", urlEnv)
	}
	return url
}

// newPool opens a pool of its own on the test database, closed at cleanup.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(databaseURL(t))
	require.NoError(t, err, "parsing %s", urlEnv)
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, pool.Ping(ctx), "PostgreSQL at %s does not answer", cfg.ConnConfig.Host)
	return pool
}

// newTable returns the name of a fresh table made by Migrate, dropped at
// cleanup, so that tests and runs never see each other's rows.
func newTable(t testing.TB) string {
	t.Helper()
	pool := newPool(t)
	name := "stashpay_dedup_test_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	s, err := pgstore.New(pool, pgstore.WithTable(name))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+pgx.Identifier{name}.Sanitize())
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return name
}

// newStore returns a store with a pool of its own on table.
func newStore(t testing.TB, table string, opts ...pgstore.Option) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(newPool(t), append([]pgstore.Option{pgstore.WithTable(table)}, opts...)...)
	require.NoError(t, err)
	return s
}

// countRows counts table's rows matching where (SQL, may be "true").
func countRows(t testing.TB, pool *pgxpool.Pool, table, where string, args ...any) int {
	t.Helper()
	var n int
	q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", pgx.Identifier{table}.Sanitize(), where)
	require.NoError(t, pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}
