package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/webhook"
)

const samplePayload = "{\"type\":\"PURCHASE_SUCCEEDED\",\"purchaseSucceeded\":{\"orderId\":\"o-1\",\"userId\":\"u-1\"}}\n"

func TestWebhookSign(t *testing.T) {
	t.Parallel()
	file := writeFile(t, samplePayload)
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		// secret is the secret the printed signature must verify with.
		secret string
	}{
		{name: "file", env: testEnv(), args: []string{"webhook", "sign", file}, secret: testWebhookSecret},
		{name: "stdin dash", env: testEnv(), stdin: samplePayload, args: []string{"webhook", "sign", "-"}, secret: testWebhookSecret},
		{name: "stdin implicit", env: testEnv(), stdin: samplePayload, args: []string{"webhook", "sign"}, secret: testWebhookSecret},
		{
			name: "other variable", env: map[string]string{"OTHER_SECRET": "other-project-secret"},
			args: []string{"webhook", "sign", "-secret-env", "OTHER_SECRET", file}, secret: "other-project-secret",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, strings.NewReader(tt.stdin), tt.args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			sig := strings.TrimSpace(r.stdout)
			v, err := webhook.NewVerifier(tt.secret)
			require.NoError(t, err)
			assert.NoError(t, v.Verify([]byte(samplePayload), sig), "the printed signature must verify over the raw bytes")
			assert.Error(t, v.Verify([]byte(strings.TrimSpace(samplePayload)), sig), "the trailing newline is signed too")
			assertNoSecrets(t, r, tt.secret)
		})
	}
}

func TestWebhookSignHeader(t *testing.T) {
	t.Parallel()
	r := runCLI(t, testEnv(), strings.NewReader(samplePayload), "webhook", "sign", "-header")
	require.Equal(t, exitOK, r.code, r.stderr)
	name, value, ok := strings.Cut(strings.TrimSpace(r.stdout), ": ")
	require.True(t, ok, r.stdout)
	assert.Equal(t, webhook.SignatureHeader, name)
	v, err := webhook.NewVerifier(testWebhookSecret)
	require.NoError(t, err)
	assert.NoError(t, v.Verify([]byte(samplePayload), value))
}

func TestWebhookVerify(t *testing.T) {
	t.Parallel()
	good := webhook.Sign([]byte(samplePayload), testWebhookSecret)
	file := writeFile(t, samplePayload)
	tampered := writeFile(t, strings.Replace(samplePayload, "o-1", "o-2", 1))
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"valid", testEnv(), []string{"webhook", "verify", "-signature", good, file}, exitOK, "valid"},
		{"valid with spaces", testEnv(), []string{"webhook", "verify", "-signature", " " + good + " ", file}, exitOK, "valid"},
		{"tampered payload", testEnv(), []string{"webhook", "verify", "-signature", good, tampered}, exitFailed, "invalid"},
		{"garbage signature", testEnv(), []string{"webhook", "verify", "-signature", "bm90LWEtbWFj", file}, exitFailed, "invalid"},
		{
			"wrong secret", map[string]string{envWebhookSecret: "another-secret"},
			[]string{"webhook", "verify", "-signature", good, file}, exitFailed, "invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, nil, tt.args...)
			assert.Equal(t, tt.wantCode, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, tt.wantOut+" ") || strings.HasPrefix(r.stdout, tt.wantOut+":"), r.stdout)
			// Neither the secret nor the MAC expected for this payload and
			// secret may be printed.
			payload := samplePayload
			if strings.Contains(tt.name, "tampered") {
				payload = strings.Replace(samplePayload, "o-1", "o-2", 1)
			}
			assertNoSecrets(t, r, tt.env[envWebhookSecret], webhook.Sign([]byte(payload), tt.env[envWebhookSecret]))
		})
	}
}

func TestVerifyStdin(t *testing.T) {
	t.Parallel()
	good := webhook.Sign([]byte(samplePayload), testWebhookSecret)
	r := runCLI(t, testEnv(), strings.NewReader(samplePayload), "webhook", "verify", "-signature", good, "-")
	assert.Equal(t, exitOK, r.code, r.all())
	r = runCLI(t, testEnv(), strings.NewReader(samplePayload+" "), "webhook", "verify", "-signature", good)
	assert.Equal(t, exitFailed, r.code, r.all())
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	file := writeFile(t, samplePayload)
	tests := []struct {
		name string
		args []string
	}{
		{"no arguments", nil},
		{"unknown command", []string{"frobnicate"}},
		{"webhook without subcommand", []string{"webhook"}},
		{"unknown webhook subcommand", []string{"webhook", "forge"}},
		{"unknown egress subcommand", []string{"egress", "sign"}},
		{"unknown flag", []string{"webhook", "sign", "-secret", "s"}},
		{"secret as flag is refused", []string{"webhook", "send", "-secret", testWebhookSecret}},
		{"too many files", []string{"webhook", "sign", file, file}},
		{"verify without signature", []string{"webhook", "verify", file}},
		{"missing file", []string{"webhook", "sign", file + ".missing"}},
		{"empty secret-env", []string{"webhook", "sign", "-secret-env", "", file}},
		{"times zero", []string{"webhook", "send", "-times", "0"}},
		{"times too many", []string{"webhook", "send", "-times", "1000"}},
		{"relative url", []string{"webhook", "send", "-url", "/webhooks/stash"}},
		{"ftp url", []string{"webhook", "send", "-url", "ftp://localhost/x"}},
		{"url with credentials", []string{"webhook", "send", "-url", "http://u:p@localhost/x"}},
		{"unknown event type", []string{"webhook", "send", "-type", "NOT_A_TYPE"}},
		{"sample unknown type", []string{"webhook", "sample", "-type", "subscription.frozen"}},
		{"negative timeout", []string{"webhook", "send", "-timeout", "-1s"}},
		{"positional to send", []string{"webhook", "send", file}},
		{"egress bad kind", []string{"egress", "send", "-kind", "refund"}},
		{"egress sample bad kind", []string{"egress", "sample", "-kind", "refund"}},
		{"egress empty user", []string{"egress", "send", "-user", ""}},
		{"version with argument", []string{"version", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(), strings.NewReader(""), tt.args...)
			assert.Equal(t, exitUsage, r.code, r.all())
			assert.NotEmpty(t, r.stderr, "a usage error says what is wrong")
			assert.Empty(t, r.stdout)
			assertNoSecrets(t, r)
		})
	}
}

func TestMissingSecret(t *testing.T) {
	t.Parallel()
	file := writeFile(t, samplePayload)
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		variable string
	}{
		{"sign", nil, []string{"webhook", "sign", file}, envWebhookSecret},
		{"verify", nil, []string{"webhook", "verify", "-signature", "c2ln", file}, envWebhookSecret},
		{"send", nil, []string{"webhook", "send", "-url", "http://127.0.0.1:9/x"}, envWebhookSecret},
		{"sign other variable", testEnv(), []string{"webhook", "sign", "-secret-env", "MY_SECRET", file}, "MY_SECRET"},
		{"egress key", map[string]string{envShopID: testShopID}, []string{"egress", "send", "-url", "http://127.0.0.1:9/x"}, envEgressKey},
		{"egress shop", map[string]string{envEgressKey: testEgressKey}, []string{"egress", "send", "-url", "http://127.0.0.1:9/x"}, envShopID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, nil, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.all())
			assert.Contains(t, r.stderr, tt.variable, "the error names the variable to set")
			assert.Empty(t, r.stdout)
			assertNoSecrets(t, r)
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, stashpay.Version},
		{[]string{"--version"}, stashpay.Version},
		{[]string{"help"}, "webhook send"},
		{[]string{"-h"}, "egress send"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, nil, tt.args...)
			assert.Equal(t, exitOK, r.code, r.all())
			assert.Contains(t, r.stdout, tt.want)
		})
	}
}

func TestGroupHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"webhook", "-h"}, "stashpay webhook send"},
		{[]string{"webhook", "--help"}, "stashpay webhook verify"},
		{[]string{"webhook", "help"}, "stashpay webhook sign"},
		{[]string{"egress", "-h"}, "stashpay egress send"},
		{[]string{"egress", "-help"}, "stashpay egress sample"},
		{[]string{"version", "-h"}, "stashpay version"},
		{[]string{"sandbox", "-h"}, "Usage: stashpay sandbox"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, nil, tt.args...)
			assert.Equal(t, exitOK, r.code, r.all())
			assert.Contains(t, r.all(), tt.want)
			assert.NotContains(t, r.all(), "unknown command")
		})
	}
}

func TestEgressUsageNamesItsFlags(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, nil, "egress", "send", "-h")
	require.Equal(t, exitOK, r.code)
	usage, _, _ := strings.Cut(r.stderr, "Flags:")
	assert.Contains(t, usage, "-transaction ID", "the synopsis lists -transaction")
	r = runCLI(t, nil, nil, "egress", "sample", "-h")
	require.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stderr, "-url", "sample has no -url flag")
}

func TestSubcommandHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"webhook", "sign", "-h"}, {"webhook", "verify", "-h"}, {"webhook", "send", "-h"},
		{"webhook", "sample", "-h"}, {"egress", "send", "-h"}, {"egress", "sample", "-h"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, nil, args...)
			assert.Equal(t, exitOK, r.code, r.all())
			assert.Contains(t, r.stderr, "Usage: stashpay "+args[0]+" "+args[1])
		})
	}
}

// The CLI signs only with secrets the SDK accepts: a key with a trailing
// newline (a file read into the environment) or a control character is a
// usage error naming the variable, never the value, for every command
// that signs.
func TestSigningCommandsRefuseSecretsTheSDKRefuses(t *testing.T) {
	t.Parallel()
	payload := filepath.Join(t.TempDir(), "p.json")
	require.NoError(t, os.WriteFile(payload, []byte(`{"type":"PURCHASE_SUCCEEDED"}`), 0o600))
	commands := map[string]struct {
		env  string
		args []string
	}{
		"webhook sign": {envWebhookSecret, []string{"webhook", "sign", payload}},
		"webhook send": {envWebhookSecret, []string{"webhook", "send", "-url", "http://127.0.0.1:1/webhook"}},
		"egress send":  {envEgressKey, []string{"egress", "send", "-url", "http://127.0.0.1:1" + stashpay.ConfirmPaymentPath}},
	}
	for name, c := range commands {
		for why, bad := range map[string]string{"trailing newline": "abcdefgh-secret\n", "control character": "abcd\x01efgh-secret"} {
			t.Run(name+"/"+why, func(t *testing.T) {
				t.Parallel()
				env := testEnv()
				env[c.env] = bad
				r := runCLI(t, env, nil, c.args...)
				assert.Equal(t, exitUsage, r.code, r.all())
				assert.Contains(t, r.stderr, "environment variable "+c.env)
				assertNoSecrets(t, r, "abcdefgh-secret", "efgh-secret")
			})
		}
	}
}
