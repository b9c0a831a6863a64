#!/usr/bin/env bash
# Tests the Redis and PostgreSQL dedup stores (nested modules dedup/redisstore
# and dedup/pgstore) against real, throwaway servers on loopback.
#
# Installs redis-server and PostgreSQL from Debian's packages when they are
# missing (needs root and apt-get), starts a Redis server and a fresh
# PostgreSQL cluster on free 127.0.0.1 ports in a temporary directory, runs
# `go vet ./...` and `go test -race ./...` in each nested module with
# STASHPAY_TEST_REDIS_URL and STASHPAY_TEST_DATABASE_URL set, and tears both
# servers down on exit, whatever happened.
#
# Usage: .ci/stores.sh [--bench]
#   --bench also runs the grant benchmarks: 1,000 purchases, each delivered 3
#   times at once, through two webhook handler instances sharing one store
#   (memory baseline, Redis, PostgreSQL); they fail on any double or lost
#   grant. STORES_BENCH_COUNT (default 1) repeats each benchmark and
#   STORES_BENCH_TIME (default 3x) sets -benchtime: the side-by-side ratios
#   (x-floor, x-memory) need about 20x and 5 repeats on a busy machine to
#   settle within a few per cent; compare medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    *) echo "usage: $0 [--bench]" >&2; exit 2 ;;
  esac
done

log() { printf '== stores: %s\n' "$*"; }
elapsed() { echo "$((SECONDS - t0))s"; }
t0=$SECONDS

# find_pg_bin prints the newest PostgreSQL server bin directory, if any.
find_pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then echo "$d"; fi
}

# ---- teardown, whatever happens ---------------------------------------------
work=$(mktemp -d /tmp/stashpay-stores.XXXXXX)
chmod 755 "$work"
redis_pid=""
made_policy=0
pg_data="$work/pg"
pg_started=0
as_pg=()

cleanup() {
  local rc=$?
  set +e
  if [ "$pg_started" = 1 ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null
    wait "$redis_pid" 2>/dev/null
  fi
  if [ "$rc" -ne 0 ]; then
    for f in "$work/redis.log" "$pg_data/server.log"; do
      [ -f "$f" ] && { echo "---- $f (tail)"; tail -n 20 "$f"; }
    done
  fi
  rm -rf "$work"
  if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- install what is missing --------------------------------------------------
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "$(find_pg_bin)" ] || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "stores: ${missing[*]} missing and not root: install them, or run as root" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "stores: ${missing[*]} missing and no apt-get: install them with this system's package manager" >&2
    exit 1
  fi
  log "installing ${missing[*]} ($(elapsed))"
  # Keep the packages from starting system-wide services; ours run on our own
  # ports and go away with this script.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; made_policy=0; fi
fi
pg_bin=$(find_pg_bin)
[ -n "$pg_bin" ] || { echo "stores: no PostgreSQL server binaries found" >&2; exit 1; }

# ---- throwaway servers -------------------------------------------------------
# The servers run from the temporary directory, which the postgres user can read.
cd "$work"

# free_port prints a loopback TCP port nobody listens on, below Linux's
# ephemeral range (32768 and up), where a client socket may hold a port
# without listening on it.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "stores: no free port found" >&2
  return 1
}

# wait_port waits until something listens on 127.0.0.1:$1, giving up at
# once when the process $2 (if given) has exited.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "stores: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# A port free when probed may be taken before the server binds it: try
# another one a few times.
for attempt in 1 2 3; do
  redis_port=$(free_port)
  log "starting redis-server on 127.0.0.1:$redis_port ($(elapsed))"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$work" --logfile "$work/redis.log" --daemonize no &
  redis_pid=$!
  if wait_port "$redis_port" "$redis_pid"; then break; fi
  kill "$redis_pid" 2>/dev/null || true
  [ "$attempt" -lt 3 ] || exit 1
done

# initdb and postgres refuse to run as root: use the postgres user then.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$work" --shell /usr/sbin/nologin postgres
  as_pg=(runuser -u postgres --)
fi
pg_port=$(free_port)
log "starting PostgreSQL ($("$pg_bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$pg_port ($(elapsed))"
mkdir -p "$pg_data"
[ "${#as_pg[@]}" -eq 0 ] || chown postgres: "$pg_data"
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
pg_started=1
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_data -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null

export STASHPAY_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export STASHPAY_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"

# ---- vet and test each store module ------------------------------------------
for mod in dedup/redisstore dedup/pgstore; do
  log "$mod: go vet ($(elapsed))"
  (cd "$root/$mod" && go vet ./...)
  log "$mod: go test -race ($(elapsed))"
  (cd "$root/$mod" && go test -race -count=1 ./...)
  if [ "$bench" = 1 ]; then
    log "$mod: benchmarks ($(elapsed))"
    (cd "$root/$mod" && go test -run '^$' -bench . -benchmem -benchtime "${STORES_BENCH_TIME:-3x}" \
      -count "${STORES_BENCH_COUNT:-1}" ./...)
  fi
done
log "done in $(elapsed)"
