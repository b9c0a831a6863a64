package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// fuzzSeeds returns the example payloads in testdata.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed payloads: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzVerify checks that Verify never panics on any input, that a payload
// signed with Sign always verifies (with or without surrounding whitespace),
// and that any change of a signed payload fails verification.
func FuzzVerify(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b, webhook.Sign(b, testSecret), uint(7), byte(0x20))
	}
	f.Add([]byte{}, "", uint(0), byte(1))
	f.Add([]byte("{}"), "   ", uint(1), byte(0xff))
	f.Add([]byte("x"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", uint(0), byte(0x80))

	v, err := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets("whsec_old"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte, sig string, pos uint, mask byte) {
		err := v.Verify(payload, sig)
		if err != nil && !errors.Is(err, webhook.ErrInvalidSignature) && !errors.Is(err, webhook.ErrMissingSignature) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		good := webhook.Sign(payload, testSecret)
		if err := v.Verify(payload, good); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if err := v.Verify(payload, " \t"+good+"\r\n"); err != nil {
			t.Fatalf("own signature with whitespace rejected: %v", err)
		}
		if _, err := v.Parse(payload, good); err != nil && !errors.Is(err, webhook.ErrMalformedPayload) {
			t.Fatalf("Parse of authentic payload: unexpected error kind: %v", err)
		}
		if mask == 0 {
			mask = 1
		}
		mutated := append([]byte(nil), payload...)
		if len(mutated) > 0 {
			mutated[pos%uint(len(mutated))] ^= mask
		} else {
			mutated = append(mutated, mask)
		}
		if err := v.Verify(mutated, good); !errors.Is(err, webhook.ErrInvalidSignature) {
			t.Fatalf("mutated payload: got %v, want ErrInvalidSignature", err)
		}
		if err := v.Verify(append(payload[:len(payload):len(payload)], mask), good); !errors.Is(err, webhook.ErrInvalidSignature) {
			t.Fatalf("extended payload: got %v, want ErrInvalidSignature", err)
		}
	})
}

// fuzzMethods are the methods FuzzHandler picks from.
var fuzzMethods = []string{http.MethodPost, http.MethodGet, http.MethodPut, http.MethodHead, http.MethodDelete, "PATCH", "OPTIONS"}

// FuzzHandler sends arbitrary requests to a handler and checks that it
// answers one of the documented status codes and calls fn only for an
// authentic, decodable POST.
func FuzzHandler(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b, "", true, uint8(0), "1")
		f.Add(b, webhook.Sign(b, "wrong"), false, uint8(0), "")
	}
	f.Add([]byte(`{"type":`), "", true, uint8(0), "x")
	f.Add([]byte(`{"type":"subscription.created","data":{"id":"s1"}}`), "", true, uint8(0), "0")
	f.Add([]byte("{}"), "", true, uint8(1), "")
	f.Add(bytes.Repeat([]byte("a"), 5000), "", true, uint8(0), "")

	allowed := map[int]bool{200: true, 400: true, 401: true, 405: true, 409: true, 413: true, 500: true}
	v, err := webhook.NewVerifier(testSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string, sign bool, method uint8, retry string) {
		if sign {
			sig = webhook.Sign(body, testSecret)
		}
		m := fuzzMethods[int(method)%len(fuzzMethods)]
		called := 0
		fn := func(ctx context.Context, e events.Event) error {
			called++
			if e == nil {
				t.Fatal("nil event")
			}
			if n, ok := webhook.RetryCount(ctx); ok && n < 0 {
				t.Fatalf("negative retry count %d", n)
			}
			if len(body) > 0 && body[0] == ' ' {
				return errors.New("fail on leading space")
			}
			return nil
		}
		h := webhook.NewHandler(v, fn, webhook.WithMaxBodyBytes(4096))
		req := httptest.NewRequestWithContext(t.Context(), m, "/", bytes.NewReader(body))
		req.Header[webhook.SignatureHeader] = []string{sig}
		req.Header[webhook.RetryCountHeader] = []string{retry}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if !allowed[rec.Code] {
			t.Fatalf("status %d not in the answer table", rec.Code)
		}
		authentic := m == http.MethodPost && len(body) <= 4096 && v.Verify(body, sig) == nil
		_, parseErr := events.Parse(body)
		if called > 0 && (!authentic || parseErr != nil) {
			t.Fatalf("fn called for a rejected request (status %d)", rec.Code)
		}
		if authentic && parseErr == nil && called != 1 {
			t.Fatalf("fn called %d times for an authentic event", called)
		}
		if (rec.Code == 200) != (authentic && parseErr == nil && (len(body) == 0 || body[0] != ' ')) {
			t.Fatalf("status %d for authentic=%v parseErr=%v", rec.Code, authentic, parseErr)
		}
	})
}
