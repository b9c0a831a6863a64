package signing_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"
)

var benchBody = func() []byte {
	b := make([]byte, 1024)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}()

// BenchmarkBaselineHMAC1KiB is the naive verification a user would write:
// a fresh hmac per call, decode the header, compare.
func BenchmarkBaselineHMAC1KiB(b *testing.B) {
	key := []byte(secret)
	k := mustKey(b, secret)
	sig := k.SignBody(benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		m := hmac.New(sha256.New, key)
		m.Write(benchBody)
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || !hmac.Equal(m.Sum(nil), got) {
			b.Fatal("mismatch")
		}
	}
}

func BenchmarkVerifyBody1KiB(b *testing.B) {
	k := mustKey(b, secret)
	sig := k.SignBody(benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if err := k.VerifyBody(benchBody, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyV11KiB(b *testing.B) {
	k := mustKey(b, secret)
	now := time.Now()
	h := k.SignV1(shopID, now, benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if _, err := k.VerifyV1(h, benchBody, shopID, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}
