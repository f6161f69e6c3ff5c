#!/usr/bin/env bash
# The cluster bench (issue 16): wrk through nginx on `scripts/cluster.sh` topologies.
#
#   bench/cluster.sh                 (or: BENCH_ONLY=cluster make bench)
#
#  1. builds parley in release mode (unless PARLEY_BIN names an executable);
#  2. for each topology below: `scripts/cluster.sh up` in bench/out/cluster (free loopback
#     ports), the same data (one user in 20 conversations), wrk -t2 on the conversation list
#     (a lag-tolerant read) for BENCH_DURATION seconds per round, the topologies interleaved
#     for BENCH_ROUNDS rounds so machine noise hits all alike; CPU seconds of parley (all
#     instances), the primary and the replica are read from /proc around each run;
#        1 instance  × 2 processes, reads on the primary
#        2 instances × 1 process,   reads on the primary   (same workers, split over two "hosts")
#        2 instances × 1 process,   reads on the replica
#        2 instances × 1 process,   PgBouncer (transaction pooling) to the primary, no replica
#  3. failover: wrk on the list while host b's master and workers get kill -9 after 2 s;
#     nginx's errors and the time to the first success after the kill;
#  4. prints a Markdown table (also bench/out/cluster.md) and stops everything by pid.
#
# Two cores run nginx, wrk, both instances and both PostgreSQL servers: this shows that the
# topology is correct and what it costs, not how it scales. The estimate of what N hosts would
# serve comes from the CPU per request (bench/README.md, "Past one machine").
#
# Knobs: BENCH_DURATION (5), BENCH_ROUNDS (2), BENCH_CONNECTIONS (32), BENCH_OUT (bench/out),
# BENCH_BASELINE_BIN (another build's parley, e.g. main's: adds its "1 instance, reads on the
# primary" row, so the default single-database path of both builds is compared in one run).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

BENCH=$PARLEY_ROOT/bench
OUT=${BENCH_OUT:-$BENCH/out}
DURATION=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
export CLUSTER_DIR=$OUT/cluster
RESULTS=$OUT/cluster.tsv
REPORT=$OUT/cluster.md
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT"
: >"$RESULTS"

ensure_packages "${PARLEY_DEPS[@]}"
if [[ -z ${PARLEY_BIN:-} ]]; then PARLEY_BIN=$(build_parley release); fi
export PARLEY_BIN
mapfile -t ports < <(free_ports 7)
export CLUSTER_HTTP_PORT=${ports[0]} CLUSTER_HTTPS_PORT=${ports[1]} CLUSTER_PG_PORTS="${ports[4]} ${ports[5]}"
APP_A=${ports[2]}
APP_B=${ports[3]}
export CLUSTER_PGBOUNCER_PORT=${ports[6]}
URL=https://127.0.0.1:$CLUSTER_HTTPS_PORT
# The bench is one client address; no access log (as in make bench).
export PARLEY_RATE_LIMIT=100000r/s PARLEY_RATE_BURST=100000 PARLEY_CONN_LIMIT=60000
export PARLEY_REGISTRATIONS_PER_ADDRESS=1000000 PARLEY_LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}

stop_cluster() { scripts/cluster.sh down >/dev/null 2>&1 || true; }
trap stop_cluster EXIT

# topology NAME: bring the cluster up as NAME describes.
topology() {
    stop_cluster
    case $1 in
        1i-primary) export CLUSTER_APP_PORTS=$APP_A CLUSTER_PROCESSES=2 CLUSTER_NO_REPLICA=1 CLUSTER_PGBOUNCER=0 ;;
        1i-baseline) export CLUSTER_APP_PORTS=$APP_A CLUSTER_PROCESSES=2 CLUSTER_NO_REPLICA=1 CLUSTER_PGBOUNCER=0 ;;
        2i-primary) export CLUSTER_APP_PORTS="$APP_A $APP_B" CLUSTER_PROCESSES=1 CLUSTER_NO_REPLICA=1 CLUSTER_PGBOUNCER=0 ;;
        2i-replica) export CLUSTER_APP_PORTS="$APP_A $APP_B" CLUSTER_PROCESSES=1 CLUSTER_NO_REPLICA=0 CLUSTER_PGBOUNCER=0 ;;
        2i-pgbouncer) export CLUSTER_APP_PORTS="$APP_A $APP_B" CLUSTER_PROCESSES=1 CLUSTER_NO_REPLICA=1 CLUSTER_PGBOUNCER=1 ;;
    esac
    local bin=$PARLEY_BIN
    [[ $1 == 1i-baseline ]] && bin=$BENCH_BASELINE_BIN
    PARLEY_BIN=$bin scripts/cluster.sh up >"$OUT/cluster-up.log" 2>&1 || { cat "$OUT/cluster-up.log" >&2; die "scripts/cluster.sh up failed"; }
}

# ticks PID: CPU clock ticks of PID and its live children (a parley master and its workers, a
# postmaster and its backends). (PgBouncer's own CPU is not counted.)
ticks() {
    local parent=$1 total=0 children=() pid stat fields
    { read -r -a children <"/proc/$parent/task/$parent/children"; } 2>/dev/null || true
    for pid in "$parent" "${children[@]}"; do
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
        read -r -a fields <<<"${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}
parley_ticks() {
    local total=0 f
    for f in "$CLUSTER_DIR"/run/parley-*.pid; do
        pid_alive "$f" && total=$((total + $(ticks "$(<"$f")")))
    done
    echo "$total"
}
pg_ticks() { ticks "$(head -n 1 "$CLUSTER_DIR/pg/$1/postmaster.pid")"; }

# The data: one user in 20 conversations of 5 messages each, made once through the API.
prepare_data() {
    local name=benchcluster json='Content-Type: application/json' body token i cid
    curl -ks -o /dev/null -X POST -H "$json" "$URL/api/register/" \
        -d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"bench-password-not-secret-1\",\"first_name\":\"B\",\"last_name\":\"C\"}"
    body=$(curl -ks -X POST -H "$json" "$URL/api/token/" -d "{\"username\":\"$name\",\"password\":\"bench-password-not-secret-1\"}")
    token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access"])' <<<"$body")
    if [[ ! -e $CLUSTER_DIR/.bench-data ]]; then
        for ((i = 0; i < 20; i++)); do
            cid=$(curl -ks -X POST -H "$json" -H "Authorization: Bearer $token" "$URL/api/conversations/" -d '{"participant_ids":[],"title":"bench"}' |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["conversation_id"])')
            curl -ks -o /dev/null -X POST -H "$json" -H "Authorization: Bearer $token" "$URL/api/conversations/$cid/messages/" -d '{"message_body":"hello"}'
        done
        touch "$CLUSTER_DIR/.bench-data"
    fi
    TOKEN=$token
}

# measure NAME ROUND: one wrk run on the list; a line in cluster.tsv.
measure() {
    local name=$1 round=$2 p0 g0 r0 p1 g1 r1 out line metrics_before metrics_after
    curl -ks -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/conversations/"  # warm the connections
    wrk -t2 -c"$CONNS" -d1s -H "Authorization: Bearer $TOKEN" "$URL/api/conversations/" >/dev/null 2>&1 || true
    p0=$(parley_ticks) g0=$(pg_ticks primary) r0=$(pg_ticks replica)
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 2s -s "$BENCH/wrk/report.lua" \
        -H "Authorization: Bearer $TOKEN" "$URL/api/conversations/" 2>&1) || true
    p1=$(parley_ticks) g1=$(pg_ticks primary) r1=$(pg_ticks replica)
    line=$(grep '^BENCH ' <<<"$out" || true)
    [[ -n $line ]] || { printf '%s\n' "$out" >&2; die "wrk printed no summary"; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "${line#BENCH }" "$((p1 - p0))" "$((g1 - g0))" "$((r1 - r0))" >>"$RESULTS"
    log "$name round $round: ${line#BENCH }"
}

# failover: wrk on the list through nginx; host b killed (-9, master and workers) after 2 s.
failover() {
    topology 2i-replica
    prepare_data
    local master children=() out line killed_at
    wrk -t2 -c"$CONNS" -d6s --timeout 2s -s "$BENCH/wrk/report.lua" -H "Authorization: Bearer $TOKEN" \
        "$URL/api/conversations/" >"$OUT/failover.wrk" 2>&1 &
    local wrk_pid=$!
    sleep 2
    master=$(<"$CLUSTER_DIR/run/parley-b.pid")
    read -r -a children <"/proc/$master/task/$master/children" || true
    killed_at=$(date +%s.%N)
    kill -KILL "$master" "${children[@]}"
    # The first success through nginx after the kill, from a fresh connection.
    local first='' t i
    for ((i = 0; i < 200; i++)); do
        if [[ $(curl -ks -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/conversations/") == 200 ]]; then
            t=$(date +%s.%N)
            first=$(awk -v a="$killed_at" -v b="$t" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
            break
        fi
        sleep 0.05
    done
    wait "$wrk_pid" || true
    line=$(grep '^BENCH ' "$OUT/failover.wrk" || true)
    FAILOVER="${line#BENCH } first_success_ms=$first"
    log "failover: $FAILOVER"
    scripts/cluster.sh start-instance 1 >/dev/null 2>&1 || true
}

for ((round = 1; round <= ROUNDS; round++)); do
    names=(1i-primary 2i-primary 2i-replica 2i-pgbouncer)
    if [[ -n ${BENCH_BASELINE_BIN:-} ]]; then names=(1i-baseline "${names[@]}"); fi
    for name in "${names[@]}"; do
        topology "$name"
        prepare_data
        measure "$name" "$round"
    done
done
failover
stop_cluster

# ---------------------------------------------------------------- report
{
    echo "### Cluster: conversation list through nginx (wrk -t2 -c$CONNS, ${DURATION}s × $ROUNDS rounds; best round)"
    echo
    echo "| topology | req/s | p50 ms | p99 ms | errors | parley CPU µs/req | primary CPU µs/req | replica CPU µs/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v t="$CLK_TCK" '
        {
            split($3, kv, " "); for (i in kv) { split(kv[i], p, "="); f[p[1]] = p[2] }
            rps = f["requests"] / (f["duration_us"] / 1e6)
            if (!($1 in best) || rps > best[$1]) {
                best[$1] = rps; p50[$1] = f["p50_us"] / 1000; p99[$1] = f["p99_us"] / 1000
                err[$1] = f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"]
                cpu_p[$1] = $4 * 1e6 / t / f["requests"]; cpu_g[$1] = $5 * 1e6 / t / f["requests"]; cpu_r[$1] = $6 * 1e6 / t / f["requests"]
            }
        }
        END {
            n = split("1i-baseline 1i-primary 2i-primary 2i-replica 2i-pgbouncer", order, " ")
            label["1i-baseline"] = "baseline build (BENCH_BASELINE_BIN): 1 instance × 2 processes, reads on the primary"
            label["1i-primary"] = "1 instance × 2 processes, reads on the primary"
            label["2i-primary"] = "2 instances × 1 process, reads on the primary"
            label["2i-replica"] = "2 instances × 1 process, reads on the replica"
            label["2i-pgbouncer"] = "2 instances × 1 process, PgBouncer (transaction) to the primary, unnamed statements"
            for (i = 1; i <= n; i++) { k = order[i]; if (k in best)
                printf "| %s | %.0f | %.2f | %.2f | %d | %.0f | %.0f | %.0f |\n", label[k], best[k], p50[k], p99[k], err[k], cpu_p[k], cpu_g[k], cpu_r[k] }
        }' "$RESULTS"
    echo
    echo "Failover (2 instances, reads on the replica; host b's master and workers kill -9 after 2 s of 6): $FAILOVER"
} >"$REPORT"
cat "$REPORT"
