#!/usr/bin/env bash
# Live updates bench (issue 14): what held subscribers cost, and how fast Nchan fans out.
# Runs on its own (or as `BENCH_ONLY=live make bench`):
#
#  1. builds parley in release mode (--scratch-path .build-bench, as bench/run.sh), unless
#     PARLEY_BIN names one;
#  2. starts its own stack (scripts/stack.sh up: PostgreSQL, parley, nginx with Nchan) under
#     bench/out-live/ on free loopback ports, limits raised, seeded with the demo accounts;
#  3. runs bench/live.py (asyncio SSE clients, standard library only) as alice:
#     LIVE_IDLE idle subscribers (5000) and parley's busy workers and nginx's RSS meanwhile,
#     then LIVE_FANOUT subscribers (1000) on one conversation and LIVE_ROUNDS posts (20):
#     delivery after each POST's response, p50/p99;
#  4. prints the rows (also bench/out-live/latest.md) and stops what it started, by pid.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

OUT=${LIVE_OUT:-$PARLEY_ROOT/bench/out-live}
SCRATCH=${BENCH_SCRATCH:-$PARLEY_ROOT/.build-bench}
mkdir -p "$OUT"

if [[ -z ${PARLEY_BIN:-} ]]; then
    log "building parley (release, $SCRATCH)"
    ensure_packages "${PARLEY_DEPS[@]}"
    swift build -c release --scratch-path "$SCRATCH" --product parley >&2
    PARLEY_BIN=$SCRATCH/release/parley
fi
[[ -x $PARLEY_BIN ]] || die "no parley at $PARLEY_BIN"

mapfile -t PORTS < <(free_ports 3)
export PARLEY_BIN PARLEY_DATA_DIR=$OUT/stack
export PARLEY_PG_PORT=${PORTS[0]} PARLEY_HTTP_PORT=${PORTS[1]} PARLEY_HTTPS_PORT=${PORTS[2]}
export PARLEY_RATE_LIMIT=1000000r/s PARLEY_RATE_BURST=1000000 PARLEY_CONN_LIMIT=65535
export PARLEY_MESSAGE_RATE_LIMIT=1000000000 PARLEY_LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}

# shellcheck disable=SC2317  # called by the trap
stop() { scripts/stack.sh down >&2 || true; }
trap stop EXIT
trap 'exit 130' INT TERM

log "starting the live bench stack in $PARLEY_DATA_DIR"
scripts/stack.sh up >&2
url=https://127.0.0.1:$PARLEY_HTTPS_PORT

log "bench/live.py: ${LIVE_IDLE:-5000} idle subscribers, ${LIVE_FANOUT:-1000} on one conversation, ${LIVE_ROUNDS:-20} posts"
set +e
python3 "$PARLEY_ROOT/bench/live.py" bench --url "$url" --user alice --password parley-demo \
    --idle "${LIVE_IDLE:-5000}" --fanout "${LIVE_FANOUT:-1000}" --rounds "${LIVE_ROUNDS:-20}" \
    --nginx-pid "$(<"$PARLEY_DATA_DIR/run/nginx.pid")" | tee "$OUT/latest.md"
rc=${PIPESTATUS[0]}
set -e
if grep -q 'exited on signal' "$PARLEY_DATA_DIR/log/nginx-error.log"; then
    warn "an nginx worker exited on a signal during the bench:"
    grep 'exited on signal' "$PARLEY_DATA_DIR/log/nginx-error.log" >&2
    rc=1
fi
exit "$rc"
