package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func TestWebhookSendSamples(t *testing.T) {
	t.Parallel()
	for _, typ := range stashpaytest.SampleEventTypes() {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			game := newWebhookGame(t, testWebhookSecret)
			r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", game.url(), "-type", string(typ), "-user", "player-77", "-item", "sword_9")
			require.Equal(t, exitOK, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, "HTTP 200 OK"), r.stdout)
			deliveries, handled := game.snapshot()
			require.Len(t, deliveries, 1)
			assert.Equal(t, "application/json", deliveries[0].contentType)
			assert.Equal(t, "0", deliveries[0].retryCount)
			require.Len(t, handled, 1, "the game's verifier accepted and decoded the sample")
			e := handled[0]
			assert.Equal(t, typ, e.Type())
			_, unknown := e.(*events.Unknown)
			assert.False(t, unknown, "the sample decodes into its typed event")
			assertNoSecrets(t, r)
		})
	}
}

func TestWebhookSendPurchaseFields(t *testing.T) {
	t.Parallel()
	game := newWebhookGame(t, testWebhookSecret)
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", game.url(), "-user", "player-77", "-item", "sword_9")
	require.Equal(t, exitOK, r.code, r.all())
	_, handled := game.snapshot()
	require.Len(t, handled, 1)
	p, ok := handled[0].(*events.PurchaseSucceeded)
	require.True(t, ok, "PURCHASE_SUCCEEDED is the default type, got %T", handled[0])
	assert.Equal(t, "player-77", p.UserID)
	require.Len(t, p.Items, 1)
	assert.Equal(t, "sword_9", p.Items[0].ID)
	assert.NotEmpty(t, p.OrderID)
	assert.Equal(t, testShopID, p.ShopID)
}

func TestWebhookSendTimes(t *testing.T) {
	t.Parallel()
	game := newWebhookGame(t, testWebhookSecret)
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", game.url(), "-times", "3")
	require.Equal(t, exitOK, r.code, r.all())
	deliveries, handled := game.snapshot()
	require.Len(t, deliveries, 3)
	for i, d := range deliveries {
		assert.Equal(t, strconv.Itoa(i), d.retryCount, "copy %d", i)
		assert.Equal(t, deliveries[0].signature, d.signature, "every copy is the same event")
		assert.Equal(t, http.StatusOK, d.status)
	}
	assert.Len(t, handled, 1, "the game's exactly-once handler ran the event once")
	for i := 1; i <= 3; i++ {
		assert.Contains(t, r.stdout, fmt.Sprintf("[%d/3] HTTP 200 OK", i))
	}
}

func TestWebhookSendFile(t *testing.T) {
	t.Parallel()
	payload := `{"type":"subscription.created","data":{"id":"sub_file","externalAccountId":"player-from-file"}}`
	tests := []struct {
		name  string
		stdin string
		file  string
	}{
		{name: "file", file: writeFile(t, payload)},
		{name: "stdin", stdin: payload, file: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			game := newWebhookGame(t, testWebhookSecret)
			r := runCLI(t, testEnv(), strings.NewReader(tt.stdin), "webhook", "send", "-url", game.url(), "-file", tt.file,
				"-type", "PURCHASE_SUCCEEDED") // ignored with -file
			require.Equal(t, exitOK, r.code, r.all())
			_, handled := game.snapshot()
			require.Len(t, handled, 1)
			s, ok := handled[0].(*events.SubscriptionCreated)
			require.True(t, ok, "got %T", handled[0])
			assert.Equal(t, "player-from-file", s.ExternalAccountID)
		})
	}
}

func TestWebhookSendNot200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"created", http.StatusCreated, `{"ok":true}`},
		{"no content", http.StatusNoContent, ""},
		{"redirect is not followed", http.StatusFound, "moved"},
		{"server error", http.StatusInternalServerError, `{"error":"grant failed"}`},
		{"conflict", http.StatusConflict, `{"error":"busy"}`},
		{"200 without a body", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, count := fixedAnswer(t, tt.status, tt.body)
			r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", srv.URL, "-times", "2")
			assert.Equal(t, exitFailed, r.code, r.all())
			assert.Equal(t, 2, count(), "every copy is sent even after a failure")
			assert.Contains(t, r.stdout, "HTTP "+strconv.Itoa(tt.status))
			assert.Contains(t, r.stdout, tt.body)
			assert.Contains(t, r.stderr, "only HTTP 200")
			assertNoSecrets(t, r)
		})
	}
}

func TestWebhookSendOneCopyFails(t *testing.T) {
	t.Parallel()
	// The game accepts the first copy and fails the second: the command
	// must still fail.
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		n++
		second := n == 2
		mu.Unlock()
		if second {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", srv.URL, "-times", "3")
	assert.Equal(t, exitFailed, r.code, r.all())
	assert.Contains(t, r.stdout, "[2/3] HTTP 503")
}

func TestWebhookSendWrongSecret(t *testing.T) {
	t.Parallel()
	game := newWebhookGame(t, "the-game-has-another-secret")
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", game.url())
	assert.Equal(t, exitFailed, r.code, r.all())
	assert.Contains(t, r.stdout, "HTTP 401")
	_, handled := game.snapshot()
	assert.Empty(t, handled)
	assertNoSecrets(t, r, "the-game-has-another-secret")
}

func TestWebhookSendUnreachable(t *testing.T) {
	t.Parallel()
	srv, _ := fixedAnswer(t, http.StatusOK, "{}")
	url := srv.URL
	srv.Close()
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", url, "-timeout", "5s")
	assert.Equal(t, exitFailed, r.code, r.all())
	assert.Contains(t, r.stderr, url)
	assertNoSecrets(t, r)
}

func TestWebhookSendBoundedAnswer(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 3*maxResponseBytes)
	srv, _ := fixedAnswer(t, http.StatusOK, big)
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", srv.URL)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Less(t, len(r.stdout), maxResponseBytes+200)
	assert.Contains(t, r.stdout, "truncated")
}

func TestWebhookSendEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	srv, _ := fixedAnswer(t, http.StatusOK, "ok\x1b[2Jcleared")
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", srv.URL)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "\x1b")
	assert.Contains(t, r.stdout, `ok\x1b[2Jcleared`)
}

func TestWebhookSample(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"PURCHASE_SUCCEEDED", "VIEW_ITEM", "subscription.canceled"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(), nil, "webhook", "sample", "-type", typ, "-user", "player-5")
			require.Equal(t, exitOK, r.code, r.stderr)
			e, err := events.Parse([]byte(r.stdout))
			require.NoError(t, err)
			assert.Equal(t, events.Type(typ), e.Type())
			assert.Contains(t, r.stdout, "player-5")
		})
	}
}

// A webhook URL may carry a token in its query (Stash sends no custom
// headers); a delivery that fails must not print it.
func TestWebhookSendHidesTheURLsQuery(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close() // nothing listens now: connection refused
	r := runCLI(t, testEnv(), nil, "webhook", "send", "-url", "http://"+addr+"/webhooks/stash?token=tok-SECRET-123")
	assert.Equal(t, exitFailed, r.code, r.all())
	assert.Contains(t, r.stderr, "/webhooks/stash?...")
	assert.NotContains(t, r.all(), "tok-SECRET-123")
}
