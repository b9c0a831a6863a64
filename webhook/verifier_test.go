package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// oracleSign computes the expected header independently of the package.
func oracleSign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secret  string
		opts    []webhook.Option
		wantErr error
	}{
		{name: "ok", secret: testSecret},
		{name: "empty secret", secret: "", wantErr: webhook.ErrEmptySecret},
		{name: "empty previous secret", secret: testSecret,
			opts: []webhook.Option{webhook.WithPreviousSecrets("old", "")}, wantErr: webhook.ErrEmptySecret},
		{name: "trailing newline", secret: testSecret + "\n", wantErr: webhook.ErrInvalidSecret},
		{name: "leading space", secret: " " + testSecret, wantErr: webhook.ErrInvalidSecret},
		{name: "control character", secret: "whsec\x00abc", wantErr: webhook.ErrInvalidSecret},
		{name: "previous secret with a newline", secret: testSecret,
			opts: []webhook.Option{webhook.WithPreviousSecrets("old\n")}, wantErr: webhook.ErrInvalidSecret},
		{name: "not base64 under WithBase64Secret", secret: "not base64!",
			opts: []webhook.Option{webhook.WithBase64Secret()}, wantErr: webhook.ErrInvalidSecret},
		{name: "previous and base64", secret: "c2VjcmV0LW5ldw==",
			opts: []webhook.Option{webhook.WithPreviousSecrets("c2VjcmV0LW9sZA"), webhook.WithBase64Secret()}},
		{name: "nil option ignored", secret: testSecret, opts: []webhook.Option{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := webhook.NewVerifier(tt.secret, tt.opts...)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorIs(t, err, webhook.ErrInvalidSecret)
				assert.Nil(t, v)
				if s := strings.TrimSpace(tt.secret); s != "" {
					assert.NotContains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			require.NotNil(t, v)
		})
	}
}

func TestSignMatchesHMAC(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{nil, []byte("{}"), purchase("o-1")} {
		assert.Equal(t, oracleSign([]byte(testSecret), body), webhook.Sign(body, testSecret))
	}
	assert.Empty(t, webhook.Sign([]byte("{}"), ""))
	// The documented example signature format: padded standard base64, 44 chars.
	assert.Len(t, webhook.Sign([]byte("x"), "k"), 44)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := readSeed(t, "purchase_succeeded.json")
	good := webhook.Sign(body, testSecret)
	mac, err := base64.StdEncoding.DecodeString(good)
	require.NoError(t, err)

	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name    string
		body    []byte
		sig     string
		wantErr error
	}{
		{name: "valid", body: body, sig: good},
		{name: "valid, surrounding spaces", body: body, sig: "  " + good + " "},
		{name: "valid, tabs and newline", body: body, sig: "\t" + good + "\r\n"},
		{name: "unpadded is not the canonical spelling", body: body, sig: strings.TrimRight(good, "="), wantErr: webhook.ErrInvalidSignature},
		{name: "empty body signed", body: []byte{}, sig: webhook.Sign([]byte{}, testSecret)},
		{name: "flipped first byte", body: flip(body, 0), sig: good, wantErr: webhook.ErrInvalidSignature},
		{name: "flipped middle byte", body: flip(body, len(body)/2), sig: good, wantErr: webhook.ErrInvalidSignature},
		{name: "flipped last byte", body: flip(body, len(body)-1), sig: good, wantErr: webhook.ErrInvalidSignature},
		{name: "appended byte", body: append(append([]byte(nil), body...), ' '), sig: good, wantErr: webhook.ErrInvalidSignature},
		{name: "truncated body", body: body[:len(body)-1], sig: good, wantErr: webhook.ErrInvalidSignature},
		{name: "flipped MAC bit", body: body, sig: base64.StdEncoding.EncodeToString(flip(mac, 7)), wantErr: webhook.ErrInvalidSignature},
		{name: "wrong secret", body: body, sig: webhook.Sign(body, "another-secret"), wantErr: webhook.ErrInvalidSignature},
		{name: "URL alphabet", body: body, sig: base64.URLEncoding.EncodeToString(mac), wantErr: errIfDiffers(mac)},
		{name: "hex instead of base64", body: body, sig: fmt.Sprintf("%x", mac), wantErr: webhook.ErrInvalidSignature},
		{name: "truncated signature", body: body, sig: good[:40], wantErr: webhook.ErrInvalidSignature},
		{name: "garbage", body: body, sig: "not a signature", wantErr: webhook.ErrInvalidSignature},
		{name: "prefixed scheme", body: body, sig: "sha256=" + good, wantErr: webhook.ErrInvalidSignature},
		{name: "empty", body: body, sig: "", wantErr: webhook.ErrMissingSignature},
		{name: "whitespace only", body: body, sig: " \t ", wantErr: webhook.ErrMissingSignature},
	}
	v := newVerifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(tt.body, tt.sig)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

// errIfDiffers expects a URL-alphabet signature to fail only when it differs
// from the standard one (it does when the MAC's encoding holds '+' or '/').
func errIfDiffers(mac []byte) error {
	if base64.URLEncoding.EncodeToString(mac) == base64.StdEncoding.EncodeToString(mac) {
		return nil
	}
	return webhook.ErrInvalidSignature
}

func TestVerifyRotation(t *testing.T) {
	t.Parallel()
	const oldSecret, olderSecret = "whsec_old_secret_value", "whsec_older_value"
	v, err := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets(oldSecret, olderSecret))
	require.NoError(t, err)
	body := purchase("order-rotation")
	tests := []struct {
		name      string
		secret    string
		wantIndex int
		wantErr   error
	}{
		{name: "new (primary) secret", secret: testSecret, wantIndex: 0},
		{name: "old secret", secret: oldSecret, wantIndex: 1},
		{name: "older secret", secret: olderSecret, wantIndex: 2},
		{name: "unknown secret", secret: "whsec_never_configured", wantErr: webhook.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sig := webhook.Sign(body, tt.secret)
			got, err := v.VerifyDetailed(body, sig)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, webhook.Verification{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, webhook.Verification{Index: tt.wantIndex}, got)
			require.NoError(t, v.Verify(body, sig))
		})
	}
}

func TestWithBase64Secret(t *testing.T) {
	t.Parallel()
	keyBytes := []byte{0x00, 0xff, 0x10, 0x80, 's', 'e', 'c', 'r', 'e', 't', 0x7f, 0x01}
	encoded := base64.StdEncoding.EncodeToString(keyBytes)
	body := purchase("order-decoded")
	sigDecoded := oracleSign(keyBytes, body)
	sigRaw := oracleSign([]byte(encoded), body)

	plain, err := webhook.NewVerifier(encoded)
	require.NoError(t, err)
	require.ErrorIs(t, plain.Verify(body, sigDecoded), webhook.ErrInvalidSignature, "decoded key must be opt-in")
	require.NoError(t, plain.Verify(body, sigRaw))

	dec, err := webhook.NewVerifier(encoded, webhook.WithBase64Secret())
	require.NoError(t, err)
	require.NoError(t, dec.Verify(body, sigDecoded))
	require.ErrorIs(t, dec.Verify(body, sigRaw), webhook.ErrInvalidSignature, "the decoded bytes are the key, as for every Base64 setting")

	// Rotation and decoding combine: the previous secret's decoded form.
	rot, err := webhook.NewVerifier(base64.StdEncoding.EncodeToString([]byte("new")), webhook.WithPreviousSecrets(encoded), webhook.WithBase64Secret())
	require.NoError(t, err)
	got, err := rot.VerifyDetailed(body, sigDecoded)
	require.NoError(t, err)
	assert.Equal(t, webhook.Verification{Index: 1}, got)
}

func TestVerifierParse(t *testing.T) {
	t.Parallel()
	v := newVerifier(t)
	body := readSeed(t, "purchase_succeeded.json")

	e, err := v.Parse(body, webhook.Sign(body, testSecret))
	require.NoError(t, err)
	ps, ok := e.(*events.PurchaseSucceeded)
	require.True(t, ok, "got %T", e)
	assert.Equal(t, "order_abc123", ps.OrderID)
	assert.Equal(t, body, []byte(e.Raw()))

	_, err = v.Parse(body, webhook.Sign(body, "wrong"))
	require.ErrorIs(t, err, webhook.ErrInvalidSignature)
	_, err = v.Parse(body, "")
	require.ErrorIs(t, err, webhook.ErrMissingSignature)

	for _, bad := range []string{`{"type":`, `not json`, `[]`, `{}`} {
		_, err = v.Parse([]byte(bad), webhook.Sign([]byte(bad), testSecret))
		require.ErrorIs(t, err, webhook.ErrMalformedPayload, bad)
		require.ErrorIs(t, err, events.ErrMalformed, bad)
	}
}

func TestVerifierParseSeeds(t *testing.T) {
	t.Parallel()
	v := newVerifier(t)
	for _, name := range seedFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := readSeed(t, name)
			e, err := v.Parse(body, webhook.Sign(body, testSecret))
			require.NoError(t, err)
			want := strings.ToUpper(strings.TrimSuffix(name, ".json"))
			assert.Equal(t, events.Type(want), e.Type())
			assert.Equal(t, events.FormatV1, e.Format())
			_, unknown := e.(*events.Unknown)
			assert.False(t, unknown, "documented event decoded as Unknown")
		})
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	const oldSecret = "whsec_old_rotation_value_9c2e"
	v, err := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets(oldSecret))
	require.NoError(t, err)
	body := purchase("order-leak")
	expected := webhook.Sign(body, testSecret)
	received := webhook.Sign(body, "attacker-guess")

	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %p"} {
		outputs = append(outputs, fmt.Sprintf(verb, v))
	}
	outputs = append(outputs, v.String(), v.GoString(), fmt.Sprint(struct{ V *webhook.Verifier }{v}))
	errs := []error{
		v.Verify(body, received),
		v.Verify(body, ""),
		v.Verify(append(body, ' '), expected),
	}
	_, perr := v.Parse(body, received)
	errs = append(errs, perr)
	_, perr = v.Parse([]byte("{"), webhook.Sign([]byte("{"), testSecret))
	errs = append(errs, perr)
	_, nerr := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets(oldSecret, ""))
	errs = append(errs, nerr)
	for _, err := range errs {
		require.Error(t, err)
		outputs = append(outputs, err.Error(), fmt.Sprintf("%+v", err))
	}
	for _, out := range outputs {
		for _, secret := range []string{testSecret, oldSecret, expected, received, "whsec"} {
			assert.NotContains(t, out, secret)
		}
	}
	assert.Contains(t, v.String(), "redacted")
}

func TestNilVerifier(t *testing.T) {
	t.Parallel()
	var v *webhook.Verifier
	body := []byte("{}")
	require.ErrorIs(t, v.Verify(body, webhook.Sign(body, testSecret)), webhook.ErrInvalidSignature)
	assert.Equal(t, "webhook.Verifier(nil)", fmt.Sprint(v))
	assert.Panics(t, func() { webhook.NewHandler(nil, func(context.Context, events.Event) error { return nil }) })
}

//nolint:paralleltest // AllocsPerRun refuses to run in a parallel test.
func TestVerifyDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	v, err := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets("old-secret"))
	require.NoError(t, err)
	body := purchase("order-allocs")
	sig := " " + webhook.Sign(body, "old-secret") + "\n"
	bad := webhook.Sign(body, "nope")
	allocs := testing.AllocsPerRun(200, func() {
		if v.Verify(body, sig) != nil || !errors.Is(v.Verify(body, bad), webhook.ErrInvalidSignature) {
			panic("unexpected verification result")
		}
	})
	assert.Zero(t, allocs)
}
