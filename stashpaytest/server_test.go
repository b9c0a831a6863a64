package stashpaytest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
)

// formatVerbs are the fmt verbs a user might print a value with.
var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T %v"}

// assertHidesSecrets prints v with every verb, String, GoString and slog, and
// checks that none of it contains any secret.
func assertHidesSecrets(t *testing.T, v any, secrets ...string) {
	t.Helper()
	var outs []string
	for _, verb := range formatVerbs {
		outs = append(outs, fmt.Sprintf(verb, v))
	}
	if s, ok := v.(fmt.Stringer); ok {
		outs = append(outs, s.String())
	}
	if s, ok := v.(fmt.GoStringer); ok {
		outs = append(outs, s.GoString())
	}
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("value", "v", v)
		outs = append(outs, buf.String())
	}
	for i, out := range outs {
		for _, secret := range secrets {
			assert.NotContains(t, out, secret, "output %d: %s", i, out)
		}
	}
}

func TestServerFormatHidesKeys(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t,
		stashpaytest.WithIngressKey("very-secret-ingress"),
		stashpaytest.WithAPIKey("very-secret-api"),
		stashpaytest.WithEgressKey("very-secret-egress"),
		stashpaytest.WithWebhookSecret("very-secret-webhook"),
	)
	assertHidesSecrets(t, s, "very-secret")
	for _, verb := range []string{"%v", "%s", "%d", "%+v", "%#v"} {
		assert.Contains(t, fmt.Sprintf(verb, s), s.URL(), verb)
	}
}
