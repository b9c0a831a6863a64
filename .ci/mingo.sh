#!/usr/bin/env bash
# Proves the "go" line of each released module's go.mod: builds, vets and
# tests the module with that oldest Go (go 1.25 -> go1.25.0), the toolchain
# fetched through the Go module proxy by GOTOOLCHAIN. The stores' tests that
# need a server skip here; .ci/stores.sh runs them with the current Go.
#
# Usage: .ci/mingo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
log() { printf '== min Go: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

for dir in . dedup/redisstore dedup/pgstore; do
  min=$(cd "$dir" && go list -m -f '{{.GoVersion}}')
  [[ "$min" =~ ^[0-9]+\.[0-9]+$ ]] && min="$min.0"
  log "$dir with go$min"
  (
    cd "$dir"
    export GOTOOLCHAIN="go$min" GOWORK=off
    [ "$(go env GOVERSION)" = "go$min" ] || { echo "min Go: got $(go env GOVERSION), want go$min" >&2; exit 1; }
    go vet ./...
    env -u CI go test -count=1 ./...
  )
done
log "done"
