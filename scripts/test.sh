#!/usr/bin/env bash
# `make test`: Parley's whole test run on a throwaway stack.
#
#  1. installs missing Debian packages (as `make run` does, plus docker-compose);
#  2. static checks: docker-compose.yml (`docker-compose config -q`), the
#     rendered nginx.conf and deploy/nginx-site.conf (`nginx -t`), the modes of
#     the files `make run` creates (scripts/check-file-modes.sh);
#  3. builds debug with tests (`swift build --build-tests`) and fails if parley links
#     Foundation (only FoundationEssentials is allowed);
#  4. starts, in a mktemp directory under /tmp: a PostgreSQL cluster (unix
#     socket only), `parley migrate`, `parley serve` (the debug binary) on a
#     unix socket, and nginx on free loopback ports;
#  5. runs `swift test` with the stack described in the environment;
#  6. runs schemathesis on the API through nginx (scripts/schemathesis.sh; full runs only),
#     then the short chaos run and the cluster tests (scripts/cluster-test.sh; full runs only);
#  7. stops everything it started (by pid) and exits with the tests' status.
#
# Environment handed to the tests (see README.md, "Tests"):
#   PARLEY_TEST_REQUIRE_STACK=1        the stack below is up; tests must not skip
#   PARLEY_TEST_DATABASE_URL           role parley (LOGIN CREATEDB), owner of db parley
#   PARLEY_TEST_ADMIN_DATABASE_URL     superuser postgres, db postgres (same cluster)
#   PARLEY_TEST_PG_CTL                 `sh -c "$PARLEY_TEST_PG_CTL restart -m fast -w"` restarts it
#   PARLEY_BIN                         absolute path of the debug `parley`
#   PARLEY_TEST_SOCKET                 the stack's FastCGI socket (`parley serve`)
#   PARLEY_TEST_HTTP_URL               http://127.0.0.1:PORT  (nginx; redirects)
#   PARLEY_TEST_HTTPS_URL              https://127.0.0.1:PORT (nginx; self-signed)
#   PARLEY_TEST_DIR                    the temp dir (writable; for tests that start their own parley)
#   PARLEY_TEST_NGINX_PREFIX           nginx's prefix (conf/, logs/ inside)
#   PARLEY_TEST_PARLEY_PIDFILE         the pid of the stack's `parley serve` master (the live test reloads it)
#   PARLEY_TEST_LOG_DIR                logs of the stack's parley, nginx and PostgreSQL
#
# Knobs: PARLEY_TEST_CHAOS=0 (skip the short chaos run), PARLEY_TEST_LIVE=0 (skip the
# live-update browser test) or =only (run just that), PARLEY_TEST_CLUSTER=0 (skip the cluster
# tests), PARLEY_TEST_PARALLEL=1 (swift test --parallel), PARLEY_TEST_TIMEOUT
# (seconds for `swift test`, default 900), PARLEY_KEEP_TEST_DIR=1 (keep the
# temp dir), extra arguments are passed to `swift test` (e.g. --filter X).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$PARLEY_ROOT"

SECONDS=0
phase() { log "[$(printf '%4ds' "$SECONDS")] $*"; }

# ---------------------------------------------------------------- 1. packages
phase "dependencies"
ensure_packages "${PARLEY_DEPS[@]}" "${PARLEY_TEST_DEPS[@]}"

# Every test reaches the stack from 127.0.0.1, so limits meant for one member of the
# public (nginx's limit_req, sign-ups and failed log-ins per address) would throttle the
# suite itself. Tests of those limits configure their own, lower ones.
export PARLEY_RATE_LIMIT=${PARLEY_RATE_LIMIT:-5000r/s} PARLEY_RATE_BURST=${PARLEY_RATE_BURST:-10000}
export PARLEY_CONN_LIMIT=${PARLEY_CONN_LIMIT:-10000}
export PARLEY_REGISTRATIONS_PER_ADDRESS=${PARLEY_REGISTRATIONS_PER_ADDRESS:-1000000}
export PARLEY_LOGIN_FAILURES_PER_ADDRESS=${PARLEY_LOGIN_FAILURES_PER_ADDRESS:-1000000}
ensure_openapi_validator
ensure_pip_module prometheus_client prometheus-client
ensure_pip_module schemathesis "schemathesis==$SCHEMATHESIS_VERSION"
# The live-update browser test drives Debian's chromium with playwright (no browser download).
ensure_pip_module playwright playwright

# ---------------------------------------------------------------- the temp dir
T=$(mktemp -d /tmp/parley-test.XXXXXX)
# postgres and the nginx workers must be able to traverse it.
chmod 0755 "$T"
PG_DIR=$T/pg
PGDATA_DIR=$PG_DIR/data
PG_SOCKDIR=$PG_DIR/run
RUN_DIR=$T/run
LOG_DIR=$T/log
NGINX_PREFIX=$T/nginx
TLS_DIR=$T/tls
PUBLIC=$T/public
SOCK=$RUN_DIR/parley.sock
PARLEY_PIDFILE=$RUN_DIR/parley.pid
NGINX_PIDFILE=$NGINX_PREFIX/nginx.pid
mkdir -p "$RUN_DIR" "$LOG_DIR" "$NGINX_PREFIX/tmp" "$NGINX_PREFIX/logs" "$TLS_DIR"
chmod 0755 "$RUN_DIR" "$LOG_DIR"

parley_pid=
rc=1
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local status=$?
    trap '' INT TERM
    ((rc == 0 && status != 0)) && rc=$status
    phase "stopping the test stack"
    stop_pidfile "$NGINX_PIDFILE" nginx "QUIT:10 TERM:5"
    if [[ -n $parley_pid ]] && kill -0 "$parley_pid" 2>/dev/null; then
        stop_pid "$parley_pid" parley "TERM:$((${PARLEY_SHUTDOWN_TIMEOUT:-10} + 5))"
    fi
    rm -f -- "$PARLEY_PIDFILE"
    [[ -d $PGDATA_DIR ]] && pg_stop "$PGDATA_DIR"
    if ((rc != 0)); then
        show_log "$LOG_DIR/parley.log" 60
        show_log "$LOG_DIR/nginx-error.log" 20
        show_log "$PG_DIR/postgres.log" 20
    fi
    if [[ ${PARLEY_KEEP_TEST_DIR:-0} == 1 ]]; then
        log "kept $T"
    else
        rm -rf -- "$T"
    fi
    phase "done (exit $rc)"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- 2. static checks
phase "docker-compose config -q (with a throwaway PARLEY_JWT_SECRET; refused without one)"
compose_check

mapfile -t ports < <(free_ports 3)
PG_PORT=${ports[0]}
HTTP_PORT=${ports[1]}
HTTPS_PORT=${ports[2]}

ensure_cert "$TLS_DIR"
cp -R -- "$PARLEY_ROOT/public" "$PUBLIC"
chmod -R a+rX "$PUBLIC"

phase "nginx -t (nginx.conf, rendered into $NGINX_PREFIX)"
NGINX_CONF=$NGINX_PREFIX/conf/nginx.conf
render_stack_nginx "$NGINX_CONF" "$NGINX_PIDFILE" "$LOG_DIR" "$NGINX_PREFIX/tmp" "$SOCK" \
    "$PUBLIC" "$TLS_DIR" "$HTTP_PORT" "$HTTPS_PORT"
NGINX=$(nginx_bin)
nginx_run() { "$NGINX" -p "$NGINX_PREFIX/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" "$@"; }
nginx_run -t -q || die "nginx -t failed for the rendered nginx.conf"

phase "nginx -t (deploy/nginx-site.conf, with test certificates)"
"$PARLEY_ROOT/scripts/check-site-conf.sh" "$T/site-check" "$TLS_DIR" ||
    die "deploy/nginx-site.conf does not pass nginx -t"

phase "file modes of make run's state (scripts/check-file-modes.sh)"
"$PARLEY_ROOT/scripts/check-file-modes.sh" "$T/modes-check" || die "make run would create files others can read"

# The unit's exposure score must stay at 2.0 or lower (threshold: tenths of a point).
if command -v systemd-analyze >/dev/null 2>&1; then
    phase "systemd-analyze security deploy/parley.service (≤ 2.0)"
    systemd-analyze security --offline=true --threshold=20 "$PARLEY_ROOT/deploy/parley.service" | tail -n 1 ||
        die "deploy/parley.service is exposed beyond 2.0 (systemd-analyze security --offline=true deploy/parley.service)"
fi

if command -v shellcheck >/dev/null 2>&1; then
    phase "shellcheck"
    shellcheck -x scripts/*.sh .ci/run || warn "shellcheck found problems (not fatal)"
fi

# ---------------------------------------------------------------- 3. build
phase "swift build --build-tests"
swift build --build-tests
PARLEY_BIN="$(swift build --show-bin-path)/parley"
[[ -x $PARLEY_BIN ]] || die "no parley executable at $PARLEY_BIN"
# parley links FoundationEssentials only: Foundation with its ICU and FoundationInternationalization
# cost RSS in every process, master and workers (docs/decisions/0012-foundation-essentials.md).
if foundation=$(ldd "$PARLEY_BIN" | grep -E 'libFoundation\.so|lib_FoundationICU|libFoundationInternationalization'); then
    die "parley links Foundation again (import FoundationEssentials instead, and check the dependencies;
an incremental build can keep objects compiled before a module dropped Foundation: rm -rf .build):
$foundation"
fi
# parley plus routes that exist only in tests (deadlines, crashes): Tests/ParleyTestServer.
swift build --product ParleyTestServer
PARLEY_TEST_SERVER_BIN="$(swift build --show-bin-path)/ParleyTestServer"

# ---------------------------------------------------------------- 4. the stack
phase "PostgreSQL (unix socket $PG_SOCKDIR/.s.PGSQL.$PG_PORT)"
mkdir -p "$PG_DIR" "$PG_SOCKDIR"
((IS_ROOT)) && chown postgres: "$PG_DIR" "$PG_SOCKDIR"
chmod 0700 "$PG_DIR"
chmod 0700 "$PG_SOCKDIR"
pg_init "$PGDATA_DIR"
# Throwaway data: durability off for speed; room for tests that start parleys.
pg_write_runtime_conf "$PGDATA_DIR" "$PG_SOCKDIR" "$PG_PORT" "fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200"
pg_start "$PGDATA_DIR" "$PG_DIR/postgres.log"
pg_ensure_app_db "$PG_SOCKDIR" "$PG_PORT"
DATABASE_URL=$(database_url "$PG_SOCKDIR" "$PG_PORT")
ADMIN_DATABASE_URL=$(printf 'postgresql://postgres@/postgres?host=%s&port=%s' "$(uri_encode "$PG_SOCKDIR")" "$PG_PORT")

# A command prefix that controls this cluster, for tests that restart it
# (scripts/pg-ctl.sh: runs pg_ctl as the cluster's owner, with no inherited
# descriptors leaking into the new postmaster).
PG_CTL_CMD=$(printf '%q ' "$PARLEY_ROOT/scripts/pg-ctl.sh" "$PGDATA_DIR" "$PG_DIR/postgres.log")
PG_CTL_CMD=${PG_CTL_CMD% }

phase "parley migrate"
DATABASE_URL=$DATABASE_URL "$PARLEY_BIN" migrate || die "parley migrate failed"

ensure_secret "$T/jwt.key"
export PARLEY_JWT_SECRET_FILE=$T/jwt.key

# Where nginx's Nchan publisher listens (live updates; nginx.conf).
export PARLEY_LIVE_SOCKET=$(live_publish_socket "$SOCK")

phase "parley serve on $SOCK"
mapfile -t serve_args < <(parley_serve_args "$SOCK")
DATABASE_URL=$DATABASE_URL setsid "$PARLEY_BIN" "${serve_args[@]}" </dev/null >"$LOG_DIR/parley.log" 2>&1 &
parley_pid=$!
echo "$parley_pid" >"$PARLEY_PIDFILE"
wait_for_socket "$SOCK" "$parley_pid" 30 || die "parley serve did not create $SOCK"

phase "nginx on 127.0.0.1:$HTTP_PORT and 127.0.0.1:$HTTPS_PORT"
nginx_run </dev/null || die "nginx did not start"
HTTP_URL=http://127.0.0.1:$HTTP_PORT
HTTPS_URL=https://127.0.0.1:$HTTPS_PORT
if code=$(wait_for_http "$HTTPS_URL/healthz" 200 30); then
    phase "stack healthy: GET /healthz → $code"
else
    warn "GET $HTTPS_URL/healthz answered $code after 30s (the tests will tell)"
fi

# ---------------------------------------------------------------- 5. tests
export PARLEY_TEST_REQUIRE_STACK=1
export PARLEY_TEST_DATABASE_URL=$DATABASE_URL
export PARLEY_TEST_ADMIN_DATABASE_URL=$ADMIN_DATABASE_URL
export PARLEY_TEST_PG_CTL=$PG_CTL_CMD
export PARLEY_BIN PARLEY_TEST_SERVER_BIN
export PARLEY_TEST_SOCKET=$SOCK
export PARLEY_TEST_HTTP_URL=$HTTP_URL
export PARLEY_TEST_HTTPS_URL=$HTTPS_URL
export PARLEY_TEST_DIR=$T
export PARLEY_TEST_NGINX_PREFIX=$NGINX_PREFIX
export PARLEY_TEST_NGINX_CONF=$NGINX_CONF
export PARLEY_TEST_NGINX_PIDFILE=$NGINX_PIDFILE
export PARLEY_TEST_PARLEY_PIDFILE=$PARLEY_PIDFILE
export PARLEY_TEST_LOG_DIR=$LOG_DIR

test_args=()
[[ ${PARLEY_TEST_PARALLEL:-0} == 1 ]] && test_args+=(--parallel)

# run_swift_test ARGS…: one `swift test`, in the background so that Ctrl-C (INT)
# reaches this script, which then stops the tests and the stack; `timeout` bounds
# a hung run. Sets rc.
run_swift_test() {
    phase "swift test $*"
    timeout --kill-after=30 "${PARLEY_TEST_TIMEOUT:-900}" swift test "$@" &
    test_pid=$!
    trap 'kill -TERM "$test_pid" 2>/dev/null || true' INT TERM
    while :; do
        set +e
        wait "$test_pid"
        rc=$?
        set -e
        ((rc > 128)) && kill -0 "$test_pid" 2>/dev/null && continue
        break
    done
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# The live-update test (Tests/Browser/live_test.py): headless Chromium through this stack's
# nginx, which it stops, starts and reloads; so it runs alone, between the swift test runs.
run_live_test() {
    phase "live updates in a browser (Tests/Browser/live_test.py)"
    set +e
    PARLEY_CHROMIUM=${PARLEY_CHROMIUM:-$(command -v chromium)} timeout --kill-after=10 300 \
        python3 "$PARLEY_ROOT/Tests/Browser/live_test.py"
    rc=$?
    set -e
}

if [[ ${PARLEY_TEST_LIVE:-} == only ]]; then
    run_live_test
elif (($# > 0)); then
    run_swift_test "${test_args[@]}" "$@"
else
    # The Postgres layer's suite restarts the cluster and kills backends on purpose;
    # it runs on its own after everything else, so no other suite's writes meet it.
    run_swift_test "${test_args[@]}" --skip PostgresTests
    if ((rc == 0)) && [[ ${PARLEY_TEST_LIVE:-1} != 0 ]]; then
        run_live_test
    fi
    if ((rc == 0)); then
        run_swift_test "${test_args[@]}" --filter PostgresTests
    fi
fi
((rc == 124)) && warn "swift test ran out of time (${PARLEY_TEST_TIMEOUT:-900}s)"

# schemathesis through nginx on the whole API, a fixed seed and a few examples per operation
# (the full run only, after the Swift tests pass): any finding fails the run.
full_run=0
(($# == 0)) && [[ ${PARLEY_TEST_LIVE:-} != only ]] && full_run=1
if ((rc == 0 && full_run)); then
    phase "schemathesis (scripts/schemathesis.sh)"
    SCHEMATHESIS_BASE_URL=$HTTPS_URL SCHEMATHESIS_SEED=13 SCHEMATHESIS_DATABASE_URL=$DATABASE_URL \
        SCHEMATHESIS_MAX_EXAMPLES=${PARLEY_TEST_SCHEMATHESIS_EXAMPLES:-10} \
        "$PARLEY_ROOT/scripts/schemathesis.sh" || rc=$?
fi

# Issue 13's short chaos run, on a stack of its own: a worker killed under load with the ledger
# checked, a PostgreSQL restart under load, the CVE record and a short FastCGI fuzz.
if ((rc == 0 && full_run)) && [[ ${PARLEY_TEST_CHAOS:-1} == 1 ]]; then
    phase "scripts/chaos.sh --short"
    PARLEY_BIN=$PARLEY_BIN "$PARLEY_ROOT/scripts/chaos.sh" --short || rc=$?
fi

# Issue 16: two instances, a primary and a replica, behind one nginx (scripts/cluster-test.sh).
if ((rc == 0 && full_run)) && [[ ${PARLEY_TEST_CLUSTER:-1} == 1 ]]; then
    phase "cluster tests (scripts/cluster-test.sh)"
    "$PARLEY_ROOT/scripts/cluster-test.sh" "$T/cluster" "$PARLEY_BIN" || rc=$?
fi

if ! kill -0 "$parley_pid" 2>/dev/null; then
    warn "the stack's parley serve is no longer running (it should have outlived the tests)"
fi
phase "tests exited $rc (swift test, the live browser test, schemathesis, the short chaos run, the cluster tests)"
exit "$rc"
