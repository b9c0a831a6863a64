#!/usr/bin/env bash
# The API compatibility guard. For each released module (the core and both
# stores) apidiff (golang.org/x/exp/cmd/apidiff, pinned, through go run)
# reports the changes of the exported API since the baseline in
# .ci/api-baseline, and tools/apiguard fails on any incompatible change that
# CHANGELOG.md's Unreleased section (or, while the baseline is a commit, any
# section) does not name in a code span. The whole report is printed, so a CI
# log shows every rename and addition.
#
# Usage: .ci/apicompat.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
apidiff=golang.org/x/exp/cmd/apidiff@v0.0.0-20261113113407-e3970619a1a4
t0=$SECONDS
log() { printf '== api: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

baseline=$(grep -v '^#' .ci/api-baseline | grep -v '^[[:space:]]*$' | head -n 1)
if ! git rev-parse -q --verify "$baseline^{commit}" >/dev/null; then
  echo "api: baseline $baseline (.ci/api-baseline) is not in this clone: fetch its history and tags" >&2
  exit 1
fi
after=""
if [[ "$baseline" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then after=$baseline; fi

# The guard's own tests first: a guard that cannot fail proves nothing.
log "tools: vet, test"
(cd tools && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...)

work=$(mktemp -d /tmp/stashpay-api.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old"
git archive "$baseline" | tar -x -C "$work/old"
(cd tools && go build -o "$work/apiguard" ./apiguard)

fail=0
for entry in .:stashpay dedup/redisstore:redisstore dedup/pgstore:pgstore; do
  dir=${entry%%:*} name=${entry##*:}
  path=$(cd "$dir" && go list -m)
  if [ ! -f "$work/old/$dir/go.mod" ]; then
    log "$path: not in the baseline $baseline, nothing to compare"
    continue
  fi
  log "$path: $baseline -> HEAD"
  (cd "$work/old/$dir" && GOWORK=off go run "$apidiff" -m -w "$work/$name.old" "$path")
  (cd "$root/$dir" && GOWORK=off go run "$apidiff" -m -w "$work/$name.new" "$path")
  go run "$apidiff" -m "$work/$name.old" "$work/$name.new" >"$work/$name.report" 2>"$work/$name.err" ||
    { cat "$work/$name.err" >&2; exit 1; }
  grep -v '^Ignoring internal package' "$work/$name.err" >&2 || true
  sed 's/^/    /' "$work/$name.report"
  # stashpay.Version is the version of each release: its value changes by design.
  "$work/apiguard" -name "$name" -changelog CHANGELOG.md ${after:+-after "$after"} \
    -ignore stashpay.Version "$work/$name.report" || fail=1
done
log "done"
exit "$fail"
