package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIncompatible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, report, root string
		want               []string
	}{
		{"empty", "", "stashpay", nil},
		{"compatible only", "Compatible changes:\n- ./webhook.WithUndecodable: added\n", "stashpay", nil},
		{
			"root, method, nested package, package removed",
			"Incompatible changes:\n" +
				"- Amount: changed from Amount to github.com/x/events.Amount\n" +
				"- (*ConfirmPaymentRequest).TaxAmount: changed from func() (Amount, error) to func() (Amount, error)\n" +
				"- ./webhook.Verification.Decoded: removed\n" +
				"- ./dedup/deduptest.(Suite).Run: removed\n" +
				"- package github.com/x/dedup/old: removed\n" +
				"Compatible changes:\n- ./webhook.WithUndecodable: added\n",
			"stashpay",
			[]string{
				"stashpay.Amount", "stashpay.ConfirmPaymentRequest.TaxAmount", "webhook.Verification.Decoded",
				"deduptest.Suite.Run", "github.com/x/dedup/old",
			},
		},
		{"CRLF line ends", "Incompatible changes:\r\n- New: removed\r\n", "redisstore", []string{"redisstore.New"}},
		{"lines outside the section are not changes", "- Stray: removed\nIncompatible changes:\nnot a change\n", "stashpay", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, c := range Incompatible(tt.report, tt.root) {
				got = append(got, c.Subject)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// The redesign's own report (apidiff between 301dc80 and the redesign) lists
// its renames as removals.
func TestIncompatibleRedesignReport(t *testing.T) {
	t.Parallel()
	report, err := os.ReadFile("testdata/redesign.txt")
	require.NoError(t, err)
	var got []string
	for _, c := range Incompatible(string(report), "stashpay") {
		got = append(got, c.Subject)
	}
	for _, want := range []string{
		"webhook.WithAdditionalSecrets", "webhook.WithDecodedSecret", "webhook.Verification.Decoded",
		"stashpaytest.SignatureHeader", "stashpaytest.LegacySignatureHeader", "stashpay.Amount",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "webhook.WithPreviousSecrets", "an addition is compatible")
}

func TestCovers(t *testing.T) {
	t.Parallel()
	names := map[string]bool{
		"webhook.Verification": true, "Amount": true, "stashpaytest.SignatureHeader": true,
		"replicas": true, "webhook": true,
	}
	tests := []struct {
		subject string
		want    bool
	}{
		{"webhook.Verification", true},
		{"webhook.Verification.Decoded", true},
		{"stashpay.Amount", true}, // the root package's name may be left out
		{"stashpay.Amount.Scale", true},
		{"events.Amount", false}, // only the root package's
		{"stashpaytest.SignatureHeader", true},
		{"stashpaytest.LegacySignatureHeader", false},
		{"webhook.WithDecodedSecret", false}, // a bare package name names nothing
		{"github.com/x/dedup/deduptest/replicas", true},
		{"github.com/x/dedup/other", false},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Covers(names, tt.subject, "stashpay"))
		})
	}
}

func FuzzIncompatible(f *testing.F) {
	report, err := os.ReadFile("testdata/redesign.txt")
	require.NoError(f, err)
	f.Add(string(report))
	f.Add("Incompatible changes:\n- ./a.(*T).M: removed\n- package p: removed\n- (: x\n")
	f.Fuzz(func(t *testing.T, report string) {
		for _, c := range Incompatible(report, "stashpay") {
			if !strings.Contains(report, c.Line) {
				t.Fatalf("change %q is not a line of the report", c.Line)
			}
		}
	})
}
