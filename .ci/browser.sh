#!/usr/bin/env bash
# The Stash sandbox in a real browser: installs Debian's chromium when it is
# missing (needs root and apt-get), then runs the nested module e2e/browser,
# which builds "stashpay sandbox" and two example game backends, runs them on
# loopback and drives headless Chromium through the hosted checkout page and
# the dashboard. CI=true makes the tests fail, not skip, without a browser.
# On failure the screenshots are under $E2E_OUTPUT_DIR (printed below).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
log() { printf '== browser: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: chromium is missing; install Debian's chromium package (or set CHROMIUM)" >&2
    exit 1
  fi
  log "installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

export E2E_OUTPUT_DIR="${E2E_OUTPUT_DIR:-$(mktemp -d /tmp/stashpay-e2e.XXXXXX)}"
cd e2e/browser
log "go vet"
go vet ./...
log "go test (screenshots on failure: $E2E_OUTPUT_DIR)"
out="$E2E_OUTPUT_DIR/go-test.log"
status=0
go test -count=1 -v ./... >"$out" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$out"
  log "FAILED (screenshots in $E2E_OUTPUT_DIR)"
  exit "$status"
fi
# Passed: print the results and the figures, not the processes' logs.
grep -E '^(--- |ok |PASS)|figure:' "$out"
log "done"
