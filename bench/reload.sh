#!/usr/bin/env bash
# bench/reload.sh: reloads under load. With the dev stack up (`make up`), runs wrk through
# nginx against a route (default /healthz: one PostgreSQL round trip) and sends the master
# RELOADS SIGHUPs (default 5), one every GAP seconds, each after the previous reload has
# completed; prints wrk's figures and the number of socket errors and non-2xx answers, and
# exits non-zero if there were any. Knobs: RELOADS (5), GAP (3), CONNECTIONS (64), ROUTE.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

DATA=${PARLEY_DATA_DIR:-$PARLEY_ROOT/.data}
[[ -f $DATA/parley.env ]] || die "no $DATA/parley.env: run 'make up' first"
set -a
# shellcheck disable=SC1091
. "$DATA/parley.env"
set +a
PID=$(<"$DATA/run/parley.pid")
kill -0 "$PID" 2>/dev/null || die "parley (pid $PID) is not running: run 'make up' first"
BIN=${PARLEY_BIN:-$(swift build -c "${PARLEY_BUILD_CONFIG:-release}" --show-bin-path)/parley}
RELOADS=${RELOADS:-5}
GAP=${GAP:-3}
CONNECTIONS=${CONNECTIONS:-64}
ROUTE=${ROUTE:-/healthz}
DURATION=$(((RELOADS + 1) * GAP + 2))

generation() { "$BIN" status --listen "$PARLEY_LISTEN" | awk -F': *' '$1 == "generation" { print $2 }'; }
reloading() { "$BIN" status --listen "$PARLEY_LISTEN" | awk -F': *' '$1 == "reloading" { print $2 }'; }

out=$(mktemp)
trap 'rm -f -- "$out"' EXIT
log "wrk -t2 -c$CONNECTIONS -d${DURATION}s ${PARLEY_URL%/}$ROUTE, with $RELOADS reloads"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "${PARLEY_URL%/}$ROUTE" >"$out" 2>&1 &
wrk_pid=$!
start=$(generation)
for ((i = 1; i <= RELOADS; i++)); do
    sleep "$GAP"
    kill -HUP "$PID"
    for ((w = 0; w < 300; w++)); do
        [[ $(generation) -gt $((start + i - 1)) && $(reloading) == 0 ]] && break
        sleep 0.1
    done
    log "reload $i: generation $(generation)"
done
wait "$wrk_pid"
cat "$out"
errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$out")
echo "reloads: $RELOADS, socket errors: ${errors:-0}, non-2xx: ${non2xx:-0}"
[[ ${errors:-0} -eq 0 && ${non2xx:-0} -eq 0 ]]
