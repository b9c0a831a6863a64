package deduptest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stashpay/stashpay-go/dedup"
)

// ReadsPrevious checks that a store upgraded in place keeps the meaning of
// what its previous version wrote. write records key the way the previous
// version did: claimed for lease and, when done is set, completed. Then st
// must answer Done for a completed key and Busy for a live lease, and take
// over (and complete) a key whose lease ran out. The cases run as parallel
// subtests.
func ReadsPrevious(t *testing.T, st dedup.Store, write func(t *testing.T, key string, lease time.Duration, done bool)) {
	t.Helper()
	tests := []struct {
		name  string
		lease time.Duration
		done  bool
		want  dedup.Outcome
	}{
		{"done key stays done", time.Minute, true, dedup.Done},
		{"live lease is busy", time.Minute, false, dedup.Busy},
		{"lease that ran out is taken over", time.Millisecond, false, dedup.Claimed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := "deduptest:upgrade:" + uuid.NewString()
			write(t, key, tt.lease, tt.done)
			time.Sleep(10 * time.Millisecond) // past the short lease
			c := claim(t, st, key, LongLease, tt.want)
			if c.Outcome != dedup.Claimed {
				claim(t, st, key, LongLease, tt.want) // asking again changes nothing
				return
			}
			wantErr(t, "completing the taken-over key", st.Complete(context.Background(), key, c.Token), nil)
			claim(t, st, key, LongLease, dedup.Done)
		})
	}
}
