// Package browser holds the end-to-end test of the Stash sandbox in a real
// browser: it builds "stashpay sandbox" and two example game backends
// (examples/confirm and examples/webhook), runs them as processes on
// loopback, and drives headless Chromium (Debian's chromium package) with
// chromedp through the hosted checkout page and the dashboard.
//
// It is a module of its own so that the core module keeps its dependencies.
// Run it with .ci/browser.sh, or here with
//
//	go test ./...
//
// CHROMIUM names the browser binary (default: chromium on PATH); without a
// browser the tests are skipped, or fail when CI=true. On failure each test
// saves screenshots of the checkout page and the dashboard under
// E2E_OUTPUT_DIR (default: a stashpay-e2e directory in the temporary
// directory). -docs-screenshot PATH saves the checkout page shown in the
// README.
package browser
