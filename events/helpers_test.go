package events_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
)

// load reads testdata/name.
func load(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return b
}

// parseAs parses payload and asserts the concrete type T.
func parseAs[T events.Event](tb testing.TB, payload []byte) T {
	tb.Helper()
	ev, err := events.Parse(payload)
	require.NoError(tb, err)
	got, ok := ev.(T)
	require.Truef(tb, ok, "Parse returned %T", ev)
	return got
}
