package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// steps extracts "actor step" from every transcript line.
func steps(transcript string) []string {
	re := regexp.MustCompile(`(?m)^   (\w+)\s+(\S+(?: \S+)?)\s{2,}`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(transcript, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func TestQuickstart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, faults{}), out.String())
	transcript := out.String()
	assert.Equal(t, []string{
		// 1. async
		"game checkout created", "stash paid", "game webhook received", "game item granted", "check ok",
		// 2. sync
		"game checkout created", "game payment event", "check ok", "stash paid",
		"game item granted", "game payment event", "game payment event", "game duplicate ignored", "check ok",
		// 3. pre-purchase
		"game checkout created", "game register called", "game confirm called", "game item granted", "stash paid",
		"game webhook received", "game duplicate ignored", "check ok",
		// 4. duplicate webhook
		"stash webhook resent", "game webhook received", "game duplicate ignored",
		"game webhook received", "game duplicate ignored", "check ok",
		// 5. forged webhook
		"stash forged webhook", "game forgery rejected", "check ok",
		// 6. lost webhooks
		"game checkout created", "stash paid", "stash webhook lost", "check ok",
		"game item granted", "game reconciled", "check ok",
	}, steps(transcript), transcript)
	assert.Contains(t, transcript, "all 8 checks passed")
	assert.Contains(t, transcript, "1 granted, 3 already granted, 0 pending")
	assert.Contains(t, transcript, "dave +1 gems_100 (poll)")
	assert.NotContains(t, transcript, "FAIL")
	assert.Contains(t, transcript, "PAYMENT_STATUS_PENDING")
	assert.Contains(t, transcript, "alice owns gems_100 x1")
	assert.Contains(t, transcript, "carol owns sword x1")
}

// TestRealMainExitStatus checks the status main passes to os.Exit: 0 for a
// good run, 1 whenever the game misbehaves, including a step that hangs,
// which must end the run at its time limit rather than block it.
func TestRealMainExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		f          faults
		limit      time.Duration
		wantStatus int
		wantStderr string
	}{
		{"well-behaved game", faults{}, timeout, 0, ""},
		{"granting twice", faults{grantTwice: true}, timeout, 1, "check(s) failed"},
		{"accepting forgeries", faults{acceptForgery: true}, timeout, 1, "mallory owns gems_500 x1000"},
		{"refusing confirms", faults{refuseConfirms: true}, timeout, 1, "carol's purchase was confirmed"},
		{"confirm hangs", faults{hangConfirms: true}, time.Second, 1, "carol's purchase was confirmed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			require.Equal(t, tc.wantStatus, realMain(&stdout, &stderr, tc.f, tc.limit), "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			if tc.wantStatus == 0 {
				assert.Empty(t, stderr.String())
				assert.Contains(t, stdout.String(), "checks passed")
				return
			}
			assert.Contains(t, stderr.String(), "quickstart: ")
			assert.Contains(t, stderr.String(), tc.wantStderr)
			assert.NotContains(t, stdout.String(), "checks passed")
		})
	}
}

func TestQuickstartDetectsMisbehaviour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		f        faults
		wantFail []string
	}{
		{"granting twice", faults{grantTwice: true}, []string{"bob owns gems_500 x2", "carol owns sword x2", "alice still owns gems_100 x3"}},
		{"accepting forgeries", faults{acceptForgery: true}, []string{"mallory owns gems_500 x1000"}},
		{"refusing confirms", faults{refuseConfirms: true}, []string{"carol's purchase was confirmed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var out bytes.Buffer
			err := run(ctx, &out, tc.f)
			require.Error(t, err, out.String())
			for _, want := range tc.wantFail {
				assert.Contains(t, err.Error(), want)
				assert.Regexp(t, `check  FAIL\s+.*`+regexp.QuoteMeta(want), out.String())
			}
			assert.NotContains(t, out.String(), "checks passed")
			assert.True(t, strings.Contains(out.String(), "checks FAILED"))
		})
	}
}
