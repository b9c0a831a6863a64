package signing_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/signing"
)

func ringOf(t testing.TB, secrets ...string) signing.Ring {
	t.Helper()
	r, err := signing.NewRing(secrets, false, func(i int) string { return "key " + strconv.Itoa(i) })
	require.NoError(t, err)
	return r
}

func TestRingVerifyReturnsTheMatchingKey(t *testing.T) {
	t.Parallel()
	body := []byte(`{"a":1}`)
	now := time.UnixMilli(1_753_993_257_000)
	ring := ringOf(t, "current-key", "previous-key", "older-key")
	cases := []struct {
		name   string
		signer string
		want   int
	}{
		{"current", "current-key", 0},
		{"previous", "previous-key", 1},
		{"oldest", "older-key", 2},
		{"unknown", "other-key", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := mustKey(t, tc.signer)
			_, gotV1, errV1 := ring.VerifyV1(k.SignV1(shopID, now, body), body, shopID, now, 0)
			gotBody, errBody := ring.VerifyBody(body, k.SignBody(body))
			assert.Equal(t, tc.want, gotV1)
			assert.Equal(t, tc.want, gotBody)
			if tc.want < 0 {
				assert.ErrorIs(t, errV1, signing.ErrInvalidSignature)
				assert.ErrorIs(t, errBody, signing.ErrInvalidSignature)
			} else {
				assert.NoError(t, errV1)
				assert.NoError(t, errBody)
			}
		})
	}
}

func TestRingVerifyFailures(t *testing.T) {
	t.Parallel()
	body := []byte(`{}`)
	now := time.UnixMilli(1_753_993_257_000)
	k := mustKey(t, "current-key")
	ring := ringOf(t, "current-key")
	cases := []struct {
		name   string
		ring   signing.Ring
		header string
		shop   string
		want   error
	}{
		{"empty ring", nil, k.SignV1(shopID, now, body), shopID, signing.ErrInvalidSignature},
		{"missing", ring, "  ", shopID, signing.ErrMissingSignature},
		{"malformed", ring, "v1;" + shopID, shopID, signing.ErrMalformedHeader},
		{"other version", ring, "v2;a;1;b", shopID, signing.ErrUnsupportedScheme},
		{"other shop", ring, k.SignV1("another-shop", now, body), shopID, signing.ErrShopMismatch},
		{"too old", ring, k.SignV1(shopID, now.Add(-6*time.Minute), body), shopID, signing.ErrTimestampSkew},
		{"too new", ring, k.SignV1(shopID, now.Add(6*time.Minute), body), shopID, signing.ErrTimestampSkew},
		{"any shop", ring, k.SignV1("another-shop", now, body), "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, i, err := tc.ring.VerifyV1(tc.header, body, tc.shop, now, 0)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, 0, i)
				assert.Equal(t, now.UnixMilli(), h.Millis)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, -1, i)
		})
	}
	_, err := ring.VerifyBody(body, " \t")
	assert.ErrorIs(t, err, signing.ErrMissingSignature)
}

func TestNewRingNamesTheSetting(t *testing.T) {
	t.Parallel()
	name := func(i int) string { return "Config.Keys[" + strconv.Itoa(i) + "]" }
	for _, tc := range []struct {
		secrets []string
		base64  bool
		want    string
	}{
		{[]string{"good-key", ""}, false, "Config.Keys[1] is empty"},
		{[]string{"good-key\n"}, false, "Config.Keys[0] has whitespace at either end"},
		{[]string{"Z29vZA==", "not*base64"}, true, "Config.Keys[1] is not base64"},
	} {
		_, err := signing.NewRing(tc.secrets, tc.base64, name)
		require.ErrorIs(t, err, signing.ErrInvalidSecret)
		assert.Contains(t, err.Error(), tc.want)
		for _, s := range tc.secrets {
			if s != "" {
				assert.NotContains(t, err.Error(), s)
			}
		}
	}
}

// FuzzRingVerifyV1 ties the ring to its keys: for any header, the ring
// accepts exactly when one of its keys accepts alone, and names the first
// such key.
func FuzzRingVerifyV1(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "shop", int64(1_700_000_000_000), uint8(1), "")
	f.Add([]byte{}, "", int64(1), uint8(0), "v1;shop;1;x")
	f.Add([]byte(`x`), "s", int64(5), uint8(3), "")
	f.Fuzz(func(t *testing.T, body []byte, shop string, ms int64, signer uint8, header string) {
		secrets := []string{"key-a", "key-b", "key-c"}
		ring := ringOf(t, secrets...)
		now := time.UnixMilli(ms)
		if header == "" {
			header = mustKey(t, []string{"key-a", "key-b", "key-c", "key-x"}[signer%4]).SignV1(shop, now, body)
		}
		want := -1
		for i, s := range secrets {
			if _, err := mustKey(t, s).VerifyV1(header, body, shop, now, 0); err == nil {
				want = i
				break
			}
		}
		_, got, err := ring.VerifyV1(header, body, shop, now, 0)
		if got != want || (err == nil) != (want >= 0) {
			t.Fatalf("ring answered %d, %v; its keys alone: %d", got, err, want)
		}
		gotBody, err := ring.VerifyBody(body, header)
		wantBody := -1
		for i, s := range secrets {
			if mustKey(t, s).VerifyBody(body, header) == nil {
				wantBody = i
				break
			}
		}
		if gotBody != wantBody || (err == nil) != (wantBody >= 0) {
			t.Fatalf("ring body check answered %d, %v; its keys alone: %d", gotBody, err, wantBody)
		}
	})
}
