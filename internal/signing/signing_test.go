package signing_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/signing"
)

const (
	shopID = "0b8e5d4c-1f2a-4c3b-9d8e-7f6a5b4c3d2e"
	secret = "s3cr3t_-key-Studio-URLsafe_base64ish"
)

// reference computes the documented v1 signature independently of the package.
func reference(key, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func mustKey(t testing.TB, s string) *signing.Key {
	t.Helper()
	k, err := signing.NewKey([]byte(s))
	require.NoError(t, err)
	return k
}

func TestNewKeyRejectsEmpty(t *testing.T) {
	t.Parallel()
	_, err := signing.NewKey(nil)
	require.ErrorIs(t, err, signing.ErrEmptyKey)
}

func TestSignV1MatchesDocumentedAlgorithm(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	now := time.UnixMilli(1_753_993_257_123)
	for _, body := range [][]byte{nil, []byte(`{"a":1}`), []byte("{\n  \"pretty\": true\n}")} {
		h := k.SignV1(shopID, now, body)
		parts := strings.Split(h, ";")
		require.Len(t, parts, 4)
		assert.Equal(t, "v1", parts[0])
		assert.Equal(t, shopID, parts[1])
		assert.Equal(t, "1753993257123", parts[2])
		assert.Equal(t, reference(secret, "1753993257123", body), parts[3])
	}
}

func TestVerifyV1(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	body := []byte(`{"playerId":"p1","transactionId":"t1"}`)
	now := time.UnixMilli(1_800_000_000_000)
	good := k.SignV1(shopID, now, body)
	ms := strconv.FormatInt(now.UnixMilli(), 10)

	tests := []struct {
		name    string
		header  string
		body    []byte
		shop    string
		now     time.Time
		wantErr error
	}{
		{"valid", good, body, shopID, now, nil},
		{"valid with whitespace", "  " + good + "\t", body, shopID, now, nil},
		{"shop not checked when empty", good, body, "", now, nil},
		{"4m59s late clock", good, body, shopID, now.Add(4*time.Minute + 59*time.Second), nil},
		{"4m59s early clock", good, body, shopID, now.Add(-4*time.Minute - 59*time.Second), nil},
		{"exactly 5m", good, body, shopID, now.Add(5 * time.Minute), nil},
		{"too old", good, body, shopID, now.Add(5*time.Minute + time.Millisecond), signing.ErrTimestampSkew},
		{"from the future", good, body, shopID, now.Add(-5*time.Minute - time.Millisecond), signing.ErrTimestampSkew},
		{"tampered body", good, []byte(`{"playerId":"p2","transactionId":"t1"}`), shopID, now, signing.ErrInvalidSignature},
		{"wrong shop", good, body, "other-shop", now, signing.ErrShopMismatch},
		{"wrong key", mustKey(t, "other").SignV1(shopID, now, body), body, shopID, now, signing.ErrInvalidSignature},
		{"timestamp swapped", "v1;" + shopID + ";" + strconv.FormatInt(now.UnixMilli()+1, 10) + ";" + reference(secret, ms, body), body, shopID, now, signing.ErrInvalidSignature},
		{"empty", "", body, shopID, now, signing.ErrMissingSignature},
		{"v2", strings.Replace(good, "v1;", "v2;", 1), body, shopID, now, signing.ErrUnsupportedScheme},
		{"three fields", "v1;" + shopID + ";" + ms, body, shopID, now, signing.ErrMalformedHeader},
		{"five fields", good + ";x", body, shopID, now, signing.ErrMalformedHeader},
		{"empty shop", "v1;;" + ms + ";" + reference(secret, ms, body), body, "", now, signing.ErrMalformedHeader},
		{"non-numeric ts", "v1;" + shopID + ";abc;" + reference(secret, "abc", body), body, shopID, now, signing.ErrMalformedHeader},
		{"negative ts", "v1;" + shopID + ";-5;" + reference(secret, "-5", body), body, shopID, now, signing.ErrMalformedHeader},
		{"leading zero ts", "v1;" + shopID + ";0" + ms + ";" + reference(secret, ms, body), body, shopID, now, signing.ErrMalformedHeader},
		{"plus ts", "v1;" + shopID + ";+" + ms + ";" + reference(secret, "+"+ms, body), body, shopID, now, signing.ErrMalformedHeader},
		{"seconds not millis", "v1;" + shopID + ";" + strconv.FormatInt(now.Unix(), 10) + ";" + reference(secret, strconv.FormatInt(now.Unix(), 10), body), body, shopID, now, signing.ErrTimestampSkew},
		{"not base64", "v1;" + shopID + ";" + ms + ";!!!!", body, shopID, now, signing.ErrInvalidSignature},
		{"url-safe alphabet", "v1;" + shopID + ";" + ms + ";" + strings.NewReplacer("+", "-", "/", "_").Replace(reference(secret, ms, body)), body, shopID, now, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := k.VerifyV1(tc.header, tc.body, tc.shop, tc.now, 0)
			if tc.name == "url-safe alphabet" {
				// Stash documents the standard alphabet; a URL-safe
				// signature only verifies if it happens to contain
				// neither '+' nor '/'.
				if strings.ContainsAny(reference(secret, ms, body), "+/") {
					assert.ErrorIs(t, err, signing.ErrInvalidSignature)
				}
				return
			}
			if tc.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestVerifyV1CustomTolerance(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	now := time.UnixMilli(1_800_000_000_000)
	h := k.SignV1(shopID, now, nil)
	_, err := k.VerifyV1(h, nil, shopID, now.Add(2*time.Second), time.Second)
	assert.ErrorIs(t, err, signing.ErrTimestampSkew)
	got, err := k.VerifyV1(h, nil, shopID, now.Add(500*time.Millisecond), time.Second)
	require.NoError(t, err)
	assert.Equal(t, now.UnixMilli(), got.Time().UnixMilli())
	assert.Equal(t, shopID, got.ShopID)
}

func TestBodySignature(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	body := []byte(`{"type":"PURCHASE_SUCCEEDED"}`)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	assert.Equal(t, want, k.SignBody(body))

	tests := []struct {
		name    string
		sig     string
		body    []byte
		wantErr error
	}{
		{"valid", want, body, nil},
		{"unpadded is not canonical", strings.TrimRight(want, "="), body, signing.ErrInvalidSignature},
		{"non-zero padding bits", nonCanonical(want), body, signing.ErrInvalidSignature},
		{"whitespace", " " + want + "\n", body, nil},
		{"empty", "", body, signing.ErrMissingSignature},
		{"blank", "   ", body, signing.ErrMissingSignature},
		{"tampered", want, append([]byte(nil), append(body, ' ')...), signing.ErrInvalidSignature},
		{"truncated", want[:40], body, signing.ErrInvalidSignature},
		{"hex instead of base64", strings.Repeat("ab", 32), body, signing.ErrInvalidSignature},
		{"wrong key", mustKey(t, "x").SignBody(body), body, signing.ErrInvalidSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := k.VerifyBody(tc.body, tc.sig)
			if tc.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.wantErr)
			}
		})
	}
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	for _, s := range []string{k.String(), k.GoString()} {
		assert.NotContains(t, s, secret)
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	assert.True(t, signing.Equal("abc", "abc"))
	assert.True(t, signing.Equal("", ""))
	assert.False(t, signing.Equal("abc", "abd"))
	assert.False(t, signing.Equal("abc", "ab"))
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	k := mustKey(t, secret)
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			body := []byte(strconv.Itoa(i))
			for j := 0; j < 200; j++ {
				if k.VerifyBody(body, k.SignBody(body)) != nil {
					t.Errorf("verify failed in goroutine %d", i)
					return
				}
			}
		}(i)
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}

// nonCanonical returns sig (padded base64 of 32 bytes, ending "X=") with
// the unused low bits of its last character set: the same bytes under a
// lax decoder, a second spelling under a strict one.
func nonCanonical(sig string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, sig[42])
	return sig[:42] + string(alphabet[i|0x3]) + "="
}

func TestNonCanonicalSpellingDecodesLaxly(t *testing.T) {
	t.Parallel()
	// Guards the test above: the altered spelling must be one a lax
	// decoder reads as the same MAC, or the test would prove nothing.
	k := mustKey(t, secret)
	good := k.SignBody([]byte("x"))
	bad := nonCanonical(good)
	require.NotEqual(t, good, bad)
	a, err := base64.StdEncoding.DecodeString(good)
	require.NoError(t, err)
	b, err := base64.StdEncoding.DecodeString(bad)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.ErrorIs(t, k.VerifyBody([]byte("x"), bad), signing.ErrInvalidSignature)
	_, err = k.VerifyV1("v1;s;1700000000000;"+bad, []byte("x"), "s", time.UnixMilli(1700000000000), time.Minute)
	assert.ErrorIs(t, err, signing.ErrInvalidSignature)
}

func TestCheckSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, secret, want string
	}{
		{"ok", "sk_live_abc", ""},
		{"inner space ok", "a b", ""},
		{"empty", "", "Cfg.Key is empty"},
		{"trailing newline", "sk-secret\n", "Cfg.Key has whitespace at either end"},
		{"leading space", " sk-secret", "Cfg.Key has whitespace at either end"},
		{"control", "sk\x00secret", "Cfg.Key contains control characters"},
		{"delete", "sk\x7fsecret", "Cfg.Key contains control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret := tt.secret
			err := signing.CheckSecret("Cfg.Key", secret)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, signing.ErrInvalidSecret)
			assert.Contains(t, err.Error(), tt.want)
			if secret != "" {
				assert.NotContains(t, err.Error(), strings.TrimSpace(secret))
			}
		})
	}
}

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	raw, err := signing.DecodeKey("K", "c2VjcmV0", false)
	require.NoError(t, err)
	assert.Equal(t, []byte("c2VjcmV0"), raw)
	for _, s := range []string{"c2VjcmV0", "c2VjcmV0LXg=", "c2VjcmV0LXg", "_-8", "_-8="} {
		b, err := signing.DecodeKey("K", s, true)
		require.NoError(t, err, s)
		assert.NotEmpty(t, b, s)
	}
	for _, s := range []string{"not base64!", "", " c2VjcmV0", "="} {
		_, err := signing.DecodeKey("K", s, true)
		require.ErrorIs(t, err, signing.ErrInvalidSecret, s)
		assert.Contains(t, err.Error(), "K ")
	}
}

func TestCheckShopID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id   string
		want string
	}{
		{"0b8e5d4c-1f2a-4c3b-9d8e-7f6a5b4c3d2e", ""},
		{"", "Cfg.ShopID is empty"},
		{"shop;x", "contains ';'"},
		{"shop x", "whitespace"},
		{"shop\u00a0x", "whitespace"},
		{"shop\u0085x", "whitespace"},
		{"shop\x00x", "control"},
		{"shop\u009bx", "control"},
		{".", "dot segment"},
		{"..", "dot segment"},
		{"...", ""},
	} {
		err := signing.CheckShopID("Cfg.ShopID", tc.id)
		if tc.want == "" {
			assert.NoError(t, err, tc.id)
			continue
		}
		require.Error(t, err, "%q", tc.id)
		assert.Contains(t, err.Error(), tc.want, "%q", tc.id)
		assert.Contains(t, err.Error(), "Cfg.ShopID")
	}
}

// The 5-minute window holds in both directions, and timestamps at the
// extremes of int64 neither overflow the skew computation nor pass.
func TestSecurityV1WindowAndOverflow(t *testing.T) {
	k, err := signing.NewKey([]byte("egress-key"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"a":1}`)
	now := time.UnixMilli(1_750_000_000_000)
	for _, tc := range []struct {
		name string
		ts   int64
		want error
	}{
		{"now", now.UnixMilli(), nil},
		{"past edge", now.Add(-signing.DefaultTolerance).UnixMilli(), nil},
		{"future edge", now.Add(signing.DefaultTolerance).UnixMilli(), nil},
		{"past+1ms", now.Add(-signing.DefaultTolerance).UnixMilli() - 1, signing.ErrTimestampSkew},
		{"future+1ms", now.Add(signing.DefaultTolerance).UnixMilli() + 1, signing.ErrTimestampSkew},
		{"max int64", 1<<63 - 1, signing.ErrTimestampSkew},
		{"one", 1, signing.ErrTimestampSkew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := k.SignV1("shop", time.UnixMilli(tc.ts), body)
			if want := "v1;shop;" + strconv.FormatInt(tc.ts, 10) + ";"; h[:len(want)] != want {
				t.Fatalf("header %q", h)
			}
			_, err := k.VerifyV1(h, body, "shop", now, 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for _, h := range []string{
		"v1;shop;9223372036854775808;AAAA", // overflows int64
		"v1;shop;-1;AAAA",
		"v1;shop;+1750000000000;AAAA",
		"v1;shop;0;AAAA",
		"v1;shop;1e12;AAAA",
	} {
		if _, err := k.VerifyV1(h, body, "shop", now, 0); !errors.Is(err, signing.ErrMalformedHeader) {
			t.Errorf("%q: err = %v, want signing.ErrMalformedHeader", h, err)
		}
	}
	// Another shop's correctly signed header is refused.
	other := k.SignV1("other-shop", now, body)
	if _, err := k.VerifyV1(other, body, "shop", now, 0); !errors.Is(err, signing.ErrShopMismatch) {
		t.Fatalf("other shop: err = %v", err)
	}
}
