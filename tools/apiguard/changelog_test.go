package main

import (
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamed(t *testing.T) {
	t.Parallel()
	log, err := os.ReadFile("testdata/CHANGELOG.md")
	require.NoError(t, err)
	tests := []struct {
		name, changelog, after string
		want                   []string
		wantErr                string
	}{
		{
			name: "every section when the baseline is no release", changelog: string(log),
			want: []string{"Decoded", "events.Amount", "stashpay.Amount", "stashpaytest.SignatureHeader", "webhook.Verification", "webhook.WithBase64Secret", "webhook.WithDecodedSecret"},
		},
		{
			name: "Unreleased and the releases after the baseline", changelog: string(log), after: "v0.1.0",
			want: []string{"Decoded", "events.Amount", "stashpay.Amount", "webhook.Verification", "webhook.WithBase64Secret", "webhook.WithDecodedSecret"},
		},
		{
			name: "Unreleased only after the last release", changelog: string(log), after: "v0.2.0",
			want: []string{"Decoded", "events.Amount", "stashpay.Amount", "webhook.Verification"},
		},
		{name: "no Unreleased section", changelog: "# Changelog\n## [0.1.0]\n- `a.B`\n", wantErr: "Unreleased"},
		{name: "bad baseline", changelog: "## [Unreleased]\n", after: "main", wantErr: "semantic version"},
		{
			name:      "spans normalized, unclosed span ignored",
			changelog: "## Unreleased\n- `(*stashpay.Client).Close()` and `webhook.NewHandler()` and `open\n",
			want:      []string{"stashpay.Client.Close", "webhook.NewHandler"},
		},
		{name: "text before the first section does not count", changelog: "`a.B`\n## [Unreleased]\n", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			names, err := Named(tt.changelog, tt.after)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := []string{}
			for n := range names {
				got = append(got, n)
			}
			sort.Strings(got)
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzNamed(f *testing.F) {
	log, err := os.ReadFile("testdata/CHANGELOG.md")
	require.NoError(f, err)
	f.Add(string(log), "")
	f.Add(string(log), "v0.1.0")
	f.Add("## [Unreleased]\n`` ` `(` `(*)` \n## [v1.0.0-rc.1]\n", "v1.0.0")
	f.Fuzz(func(t *testing.T, changelog, after string) {
		names, err := Named(changelog, after)
		if err != nil {
			return
		}
		for n := range names {
			if n == "" {
				// An empty span (or one that normalizes to nothing) must not
				// name anything: an empty name would cover nothing, but it
				// is a sign of a parsing slip.
				t.Fatalf("empty name from %q", changelog)
			}
		}
	})
}
