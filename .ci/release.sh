#!/usr/bin/env bash
# Prepares a release of the three modules of this repository, or (--check)
# proves that HEAD could be released, without publishing anything.
#
# The scheme: one version for all three modules, tagged on one commit:
#   vX.Y.Z                   github.com/stashpay/stashpay-go (the core)
#   dedup/redisstore/vX.Y.Z  github.com/stashpay/stashpay-go/dedup/redisstore
#   dedup/pgstore/vX.Y.Z     github.com/stashpay/stashpay-go/dedup/pgstore
# Each store's go.mod requires the core at vX.Y.Z. Its replace line (../..)
# only serves builds from a clone: Go ignores it where the store is a
# dependency.
#
# Usage: .ci/release.sh [--check] [vX.Y.Z]
#   vX.Y.Z defaults to "v" + the Version constant of version.go (the
#   User-Agent version, which a release must equal).
#   Without --check (a clean tree, CHANGELOG.md with a "## [X.Y.Z]" section
#   and version.go at X.Y.Z): sets the stores' core requirement to vX.Y.Z,
#   commits that when it changed, checks as below and prints the tags to push.
#   With --check (CI): checks HEAD as if it were tagged vX.Y.Z (the stores must
#   require that version already); changes nothing.
#
# The check, offline once the dependencies are in the module cache:
#   1. writes the three modules at vX.Y.Z, from `git archive HEAD`, into a
#      temporary module proxy directory (tools/fileproxy);
#   2. builds and tests each store against that core version (its
#      replace dropped), in a throwaway module cache: the store tests that need
#      a server skip unless STASHPAY_TEST_REDIS_URL / STASHPAY_TEST_DATABASE_URL
#      are set (.ci/stores.sh runs them against real servers);
#   3. builds and runs a consumer module outside the tree that requires both
#      stores, with GOPROXY=file://... only and GOFLAGS=-mod=mod, and checks
#      that it links the core at vX.Y.Z, not the replace.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
core=github.com/stashpay/stashpay-go
stores=(dedup/redisstore dedup/pgstore)

check=0
version=""
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    v*) version=$arg ;;
    *) echo "usage: $0 [--check] [vX.Y.Z]" >&2; exit 2 ;;
  esac
done
declared=$(sed -n 's/^const Version = "\(.*\)"$/\1/p' version.go)
# required prints the core version the store module in $1 requires.
required() { (cd "$1" && go list -m -f '{{.Version}}' "$core"); }
[ -n "$version" ] || version="v$declared"
if ! [[ "$version" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: $version is not a version vX.Y.Z[-pre]" >&2; exit 2
fi
if [[ "$version" != v0.* && "$version" != v1.* ]]; then
  echo "release: $version needs a /vN module path suffix first" >&2; exit 2
fi
log() { printf '== release %s: %s\n' "$version" "$*"; }
t0=$SECONDS

if [ "$check" = 0 ]; then
  [ -z "$(git status --porcelain)" ] || { echo "release: commit or stash your changes first" >&2; exit 1; }
  [ "v$declared" = "$version" ] || { echo "release: version.go says $declared: set Version = \"${version#v}\" first" >&2; exit 1; }
  grep -q "^## \[${version#v}\]" CHANGELOG.md || {
    echo "release: CHANGELOG.md has no \"## [${version#v}] - $(date -u +%F)\" section: move the Unreleased entries into it" >&2; exit 1; }
  for mod in "${stores[@]}"; do
    (cd "$mod" && go mod edit -require="$core@$version")
  done
  if [ -n "$(git status --porcelain)" ]; then
    git commit -q -m "release $version: the store modules require $core $version" -- "${stores[@]/%//go.mod}"
    log "committed the stores' requirement on $core $version"
  fi
fi

work=$(mktemp -d /tmp/stashpay-release.XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/bin"
git archive HEAD | tar -x -C "$work/src"
for mod in "${stores[@]}"; do
  got=$(required "$work/src/$mod")
  [ "$got" = "$version" ] || {
    echo "release: $mod requires $core $got, not $version: run .ci/release.sh $version to release it" >&2; exit 1; }
done

# The dependencies the offline steps take from the module cache (a no-op when
# they are there already).
realcache=$(go env GOMODCACHE)
for mod in . "${stores[@]}"; do (cd "$mod" && go mod download); done
(cd tools && go build -o "$work/bin/fileproxy" ./fileproxy)

log "module proxy directory with the three modules ($((SECONDS - t0))s)"
"$work/bin/fileproxy" -out "$work/proxy" -version "$version" -time "$(git log -1 --format=%cI HEAD)" \
  "$work/src" "${stores[@]/#/$work/src/}"

# Offline from here on: only the proxy directory and the module cache's own
# download directory, no checksum database, a module cache of our own (the
# fake release must never reach the real one), and no workspace.
export GOPROXY="file://$work/proxy,file://$realcache/cache/download"
export GOSUMDB=off GOWORK=off GOTOOLCHAIN=local GOMODCACHE="$work/modcache"
# -trimpath: the builds do not depend on the temporary paths, so that a second
# run takes them from the build cache.
GOFLAGS="-mod=mod -trimpath $(go env GOFLAGS)"
export GOFLAGS

# want_core fails unless the module in the current directory builds with the
# core at $version from the proxy.
want_core() {
  local got
  got=$(go list -m -f '{{.Version}} {{if .Replace}}replaced{{end}}{{.Dir}}' "$core")
  case "$got" in
    "$version $GOMODCACHE/"*) ;;
    *) echo "release: $1 builds with $core $got, want $version from the proxy" >&2; exit 1 ;;
  esac
}

for mod in "${stores[@]}"; do
  log "$mod against $core $version: build, test ($((SECONDS - t0))s)"
  (
    cd "$work/src/$mod"
    go mod edit -dropreplace="$core"
    go build ./...
    want_core "$mod"
    env -u CI go test -count=1 ./...
  )
done

log "a consumer module outside the tree, offline ($((SECONDS - t0))s)"
mkdir -p "$work/consumer"
cd "$work/consumer"
cat >go.mod <<EOF
module example.com/consumer

go 1.25
EOF
cat >main.go <<'EOF'
// A game backend that installs the SDK and both stores as a user would.
package main

import (
	"fmt"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/pgstore"
	"github.com/stashpay/stashpay-go/dedup/redisstore"
)

var (
	_ dedup.Store = (*redisstore.Store)(nil)
	_ dedup.Store = (*pgstore.Store)(nil)
)

func main() { fmt.Println("stashpay-go", stashpay.Version) }
EOF
# The stores' go.sum lines check the third-party modules' hashes.
for mod in "${stores[@]}"; do cat "$root/$mod/go.sum"; done | sort -u >go.sum
go get "$core/dedup/redisstore@$version" "$core/dedup/pgstore@$version"
go build -o consumer .
want_core consumer
[ "$(./consumer)" = "stashpay-go ${version#v}" ] || {
  echo "release: the consumer prints \"$(./consumer)\", want \"stashpay-go ${version#v}\": is version.go at ${version#v}?" >&2; exit 1; }
go mod verify >/dev/null
go list -m "$core" "$core/dedup/redisstore" "$core/dedup/pgstore"
log "ok ($((SECONDS - t0))s)"

if [ "$check" = 0 ]; then
  commit=$(git -C "$root" rev-parse HEAD)
  cat <<EOF

Every module builds and tests against $core $version. To release, tag and push:

  git tag -a $version -m "stashpay-go $version" $commit
  git tag -a dedup/redisstore/$version -m "stashpay-go/dedup/redisstore $version" $commit
  git tag -a dedup/pgstore/$version -m "stashpay-go/dedup/pgstore $version" $commit
  git push origin $version dedup/redisstore/$version dedup/pgstore/$version

Then make $version the API baseline: write "$version" into .ci/api-baseline and commit.
EOF
fi
