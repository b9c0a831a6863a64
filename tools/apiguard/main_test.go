package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRun(t *testing.T) {
	t.Parallel()
	report := "Incompatible changes:\n- ./webhook.WithAdditionalSecrets: removed\n- Amount: changed\n" +
		"- Version: value changed from \"0.1.0\" to \"0.2.0\"\nCompatible changes:\n- ./webhook.WithPreviousSecrets: added\n"
	tests := []struct {
		name, changelog string
		want            int
		wantErr         string
	}{
		{"every change named", "## [Unreleased]\n| `webhook.WithAdditionalSecrets` | `webhook.WithPreviousSecrets` |\n- `stashpay.Amount` is `events.Amount`\n", 0, ""},
		{"a change not named fails, naming it", "## [Unreleased]\n- `webhook.WithAdditionalSecrets` renamed\n", 1, "`stashpay.Amount` (Amount: changed)"},
		{"named only in a release before the baseline", "## [Unreleased]\n## [0.1.0]\n- `webhook.WithAdditionalSecrets`, `Amount`\n", 1, "2 of 3"},
		{"no Unreleased section", "# Changelog\n", 2, "Unreleased"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			got := run(&stdout, &stderr, report, tt.changelog, "stashpay", "v0.1.0", "stashpay.Version")
			assert.Equal(t, tt.want, got, stderr.String())
			assert.Contains(t, stderr.String(), tt.wantErr)
			assert.NotContains(t, stderr.String(), "stashpay.Version", "an ignored subject is never reported")
		})
	}
}

// The release's version constant changes at every release; without -ignore
// it is an incompatible change like any other.
func TestRunVersionNotIgnored(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	got := run(&stdout, &stderr, "Incompatible changes:\n- Version: value changed from \"0.1.0\" to \"0.2.0\"\n", "## [Unreleased]\n", "stashpay", "")
	assert.Equal(t, 1, got)
	assert.Contains(t, stderr.String(), "`stashpay.Version`")
}
