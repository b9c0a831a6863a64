#!/usr/bin/env bash
# govulncheck (pinned) over every module of this repository, against a pinned
# snapshot of the Go vulnerability database: the golang.org/x/vulndb module
# through the Go module proxy, indexed with its own cmd/indexdb (CI reaches no
# other host). Bump both pins to take newer advisories.
#
# Fails on a vulnerability that the code reaches in a module it requires
# (fix: require the fixed version). One in the standard library is reported,
# with the Go release that fixes it, but does not fail: it belongs to the Go
# toolchain that builds the program, not to this SDK's requirements.
#
# Usage: .ci/vulncheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
govulncheck=golang.org/x/vuln/cmd/govulncheck@v1.9.0
vulndb_version=v0.0.0-20261105234957-e22db6528018
t0=$SECONDS
log() { printf '== vulncheck: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }
command -v jq >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }

# The indexed database, kept between runs beside the Go build cache.
db="$(go env GOCACHE)/stashpay-vulndb-$vulndb_version"
if [ ! -f "$db/index/db.json" ]; then
  log "indexing golang.org/x/vulndb@$vulndb_version"
  src=$(go mod download -json "golang.org/x/vulndb@$vulndb_version" | jq -r .Dir)
  rm -rf "$db.tmp"
  go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$src/data/osv" -out "$db.tmp"
  mv "$db.tmp" "$db"
fi

out=$(mktemp /tmp/stashpay-vulncheck.XXXXXX)
trap 'rm -f "$out"' EXIT
fail=0
for gomod in $(git ls-files '*go.mod' | sort); do
  dir=$(dirname "$gomod")
  log "$dir"
  (cd "$dir" && GOWORK=off go run "$govulncheck" -db "file://$db" -format json ./...) >"$out"
  # Findings with a function in their trace are reached from the code.
  called='select(.finding and .finding.trace[0].function) | .finding'
  stdlib=$(jq -r "$called"' | select(.trace[0].module == "stdlib")
    | "\(.osv) in the standard library of go\(.trace[0].version | ltrimstr("v")), fixed in go\(.fixed_version | ltrimstr("v"))"' "$out" | sort -u)
  modules=$(jq -r "$called"' | select(.trace[0].module != "stdlib")
    | "\(.osv) in \(.trace[0].module)@\(.trace[0].version), fixed in \(.fixed_version // "no version yet")"' "$out" | sort -u)
  if [ -n "$stdlib" ]; then
    echo "  warning: reached in the Go toolchain this run builds with ($(go env GOVERSION)); build with a fixed Go:"
    echo "$stdlib" | sed 's/^/    /'
  fi
  if [ -n "$modules" ]; then
    echo "  FAIL: reached in a required module:"
    echo "$modules" | sed 's/^/    /'
    fail=1
  else
    echo "  no vulnerability reached in a required module"
  fi
done
log "done"
exit "$fail"
