package wait_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/wait"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	require.NoError(t, wait.Sleep(t.Context(), time.Millisecond))
	require.NoError(t, wait.Sleep(t.Context(), 0))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// An hour-long wait must end at once when the context is done; were it
	// not aborted, the test would time out.
	require.ErrorIs(t, wait.Sleep(ctx, time.Hour), context.Canceled)
	require.ErrorIs(t, wait.Sleep(ctx, 0), context.Canceled)
}
