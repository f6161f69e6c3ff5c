#!/usr/bin/env bash
# The cluster tests of `make test` (issue 16): a throwaway `scripts/cluster.sh up` in
# DIR (free loopback ports, the given parley executable), scripts/cluster-test.py on it, then
# `scripts/cluster.sh down`. Without test names, then session, limits and read-your-writes once
# more through PgBouncer (PARLEY_TEST_PGBOUNCER=0 skips that). Exits with the tests' status.
#
#   scripts/cluster-test.sh DIR PARLEY_BIN [TEST-NAME...]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:?usage: scripts/cluster-test.sh DIR PARLEY_BIN [TEST-NAME...]}
export PARLEY_BIN=${2:?usage: scripts/cluster-test.sh DIR PARLEY_BIN [TEST-NAME...]}
shift 2
mapfile -t ports < <(free_ports 6)
export CLUSTER_DIR=$dir
export CLUSTER_HTTP_PORT=${ports[0]} CLUSTER_HTTPS_PORT=${ports[1]}
export CLUSTER_APP_PORTS="${ports[2]} ${ports[3]}" CLUSTER_PG_PORTS="${ports[4]} ${ports[5]}"
# Read-your-writes posts 1,000 messages: 100 per user and window keeps the users few, and the
# limit test still meets the limit. Throwaway data: no fsync.
export PARLEY_MESSAGE_RATE_LIMIT=100
# Every test client is 127.0.0.1 (as in scripts/test.sh): per-address limits off.
export PARLEY_RATE_LIMIT=${PARLEY_RATE_LIMIT:-5000r/s} PARLEY_RATE_BURST=${PARLEY_RATE_BURST:-10000}
export PARLEY_CONN_LIMIT=${PARLEY_CONN_LIMIT:-10000}
export PARLEY_REGISTRATIONS_PER_ADDRESS=${PARLEY_REGISTRATIONS_PER_ADDRESS:-1000000}
export PARLEY_LOGIN_FAILURES_PER_ADDRESS=${PARLEY_LOGIN_FAILURES_PER_ADDRESS:-1000000}
export CLUSTER_PROCESSES=${CLUSTER_PROCESSES:-2} CLUSTER_THREADS=${CLUSTER_THREADS:-2}

# shellcheck disable=SC2317  # called by the EXIT trap
stop() { "$PARLEY_ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true; }
trap stop EXIT

# run_on_cluster TEST-NAME...: up, the tests, down (CLUSTER_* from the environment).
run_on_cluster() {
    local status=0 f
    "$PARLEY_ROOT/scripts/cluster.sh" up 2>&1 | tail -n 12 >&2
    (
        set -a
        # shellcheck disable=SC1091
        . "$CLUSTER_DIR/cluster.env"
        set +a
        python3 "$PARLEY_ROOT/scripts/cluster-test.py" "$@"
    ) || status=$?
    if ((status != 0)); then
        for f in "$CLUSTER_DIR"/log/parley-*.log; do show_log "$f" 30; done
        show_log "$CLUSTER_DIR/log/nginx-error.log" 20
    fi
    stop
    return "$status"
}

rc=0
run_on_cluster "$@" || rc=$?
if (($# == 0 && rc == 0)) && [[ ${PARLEY_TEST_PGBOUNCER:-1} == 1 ]]; then
    # Again through PgBouncer (transaction pooling, unnamed statements): sessions, limits and
    # read-your-writes on the same code with a pooler in between.
    log "cluster tests through PgBouncer"
    mapfile -t ports < <(free_ports 1)
    export CLUSTER_DIR=$dir-pgbouncer CLUSTER_PGBOUNCER=1 CLUSTER_PGBOUNCER_PORT=${ports[0]} CLUSTER_TEST_WRITES=200
    run_on_cluster session limits read-your-writes || rc=$?
fi
exit "$rc"
