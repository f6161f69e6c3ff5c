#!/usr/bin/env bash
# `make chaos`: Parley under faults and attacks (issue 13), on a stack of its own.
#
# Starts, in a mktemp directory under /tmp, on free loopback ports: PostgreSQL with fsync ON
# (durability is what is tested), `parley serve` (release build) under a restart loop (what
# systemd's Restart=always does in production), and nginx. Then chaos/chaos.py runs the
# scenarios, prints one Markdown table row per scenario and `chaos: N/N scenarios held`, and
# writes the table to chaos/out/latest.md. Everything started here is stopped by pid at the end.
#
#   scripts/chaos.sh            every scenario (a–j); a–i take about 12 minutes (plus
#                               schemathesis), the soak j 5 more (CHAOS_SOAK seconds)
#   scripts/chaos.sh --short    the make-test subset: a worker killed under load, a PostgreSQL
#                               restart under load, the CVE record and a short fuzz (~1 minute)
#
# Environment: CHAOS_SCENARIOS ("a b c …", a subset), CHAOS_SOAK (scenario j's seconds, 300;
# 0 leaves it out), CHAOS_FUZZ_SECONDS (scenario h's fuzzer,
# 300; 15 with --short), CHAOS_SEED (1), CHAOS_OUT (chaos/out/latest.md; short.md with --short),
# CHAOS_SCHEMATHESIS_EXAMPLES (scenario i's examples per operation, 25; make test's run uses 10), PARLEY_BIN (a parley
# to run instead of building the release one; make test passes its debug build),
# PARLEY_KEEP_CHAOS_DIR=1 (keep the temp dir and its logs).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$PARLEY_ROOT"

SHORT=0
for arg in "$@"; do
    case $arg in
        --short) SHORT=1 ;;
        *) die "usage: scripts/chaos.sh [--short]" ;;
    esac
done

ensure_packages "${PARLEY_DEPS[@]}"
command -v python3 >/dev/null || die "python3 is needed (the chaos driver is chaos/chaos.py)"

if [[ -z ${PARLEY_BIN:-} ]]; then
    PARLEY_BIN=$(build_parley release)
fi
[[ -x $PARLEY_BIN ]] || die "no parley executable at $PARLEY_BIN"

# The slowloris scenario holds a thousand connections to nginx, and the probes and load more.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

T=$(mktemp -d /tmp/parley-chaos.XXXXXX)
chmod 0755 "$T"
PG_DIR=$T/pg
PGDATA_DIR=$PG_DIR/data
PG_SOCKDIR=$PG_DIR/run
RUN_DIR=$T/run
LOG_DIR=$T/log
NGINX_PREFIX=$T/nginx
SOCK=$RUN_DIR/parley.sock
PARLEY_PIDFILE=$RUN_DIR/parley.pid
NGINX_PIDFILE=$NGINX_PREFIX/nginx.pid
mkdir -p "$RUN_DIR" "$LOG_DIR" "$NGINX_PREFIX/tmp" "$NGINX_PREFIX/conf" "$T/tls"
chmod 0755 "$RUN_DIR" "$LOG_DIR"

supervisor_pid=
rc=1
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local status=$?
    trap '' INT TERM
    ((rc == 0 && status != 0)) && rc=$status
    stop_pidfile "$NGINX_PIDFILE" nginx "QUIT:10 TERM:5"
    # The restart loop first (it must not start another master), then the master.
    touch "$RUN_DIR/stop"
    if pid_alive "$PARLEY_PIDFILE"; then
        stop_pid "$(<"$PARLEY_PIDFILE")" parley "TERM:15"
    fi
    if [[ -n $supervisor_pid ]]; then
        stop_pid "$supervisor_pid" "parley restart loop" "TERM:5"
    fi
    [[ -d $PGDATA_DIR ]] && pg_stop "$PGDATA_DIR"
    if ((rc != 0)); then
        show_log "$LOG_DIR/parley.log" 40
        show_log "$LOG_DIR/nginx-error.log" 10
        show_log "$PG_DIR/postgres.log" 10
    fi
    if [[ ${PARLEY_KEEP_CHAOS_DIR:-0} == 1 ]]; then
        log "kept $T"
    else
        rm -rf -- "$T"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mapfile -t ports < <(free_ports 3)
PG_PORT=${ports[0]}
HTTP_PORT=${ports[1]}
HTTPS_PORT=${ports[2]}

# ---------------------------------------------------------------- PostgreSQL
mkdir -p "$PG_DIR" "$PG_SOCKDIR"
((IS_ROOT)) && chown postgres: "$PG_DIR" "$PG_SOCKDIR"
chmod 0700 "$PG_DIR" "$PG_SOCKDIR"
pg_init "$PGDATA_DIR"
# Durability on (fsync, synchronous_commit and full_page_writes are PostgreSQL's defaults,
# written out so that nobody "speeds this up"); few connections, so that scenario g can take
# them all.
pg_write_runtime_conf "$PGDATA_DIR" "$PG_SOCKDIR" "$PG_PORT" "fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 30
superuser_reserved_connections = 3"
pg_start "$PGDATA_DIR" "$PG_DIR/postgres.log"
pg_ensure_app_db "$PG_SOCKDIR" "$PG_PORT"
DATABASE_URL=$(database_url "$PG_SOCKDIR" "$PG_PORT")
DATABASE_URL=$DATABASE_URL "$PARLEY_BIN" migrate >"$LOG_DIR/migrate.log" 2>&1 ||
    { show_log "$LOG_DIR/migrate.log"; die "parley migrate failed"; }

# ---------------------------------------------------------------- parley, restarted when it exits
ensure_secret "$T/jwt.key"
export PARLEY_JWT_SECRET_FILE=$T/jwt.key
# The load generator is one client posting hundreds of messages a second from 127.0.0.1.
export PARLEY_MESSAGE_RATE_LIMIT=1000000000
export PARLEY_REGISTRATIONS_PER_ADDRESS=1000000 PARLEY_LOGIN_FAILURES_PER_ADDRESS=1000000
# Scenario f: a row lock held elsewhere answers 503 after this long.
export PARLEY_DB_LOCK_TIMEOUT_MS=${PARLEY_DB_LOCK_TIMEOUT_MS:-2000}
export PARLEY_PROCESSES=${PARLEY_PROCESSES:-2} PARLEY_THREADS=${PARLEY_THREADS:-2}
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}
mapfile -t serve_args < <(parley_serve_args "$SOCK")

# shellcheck disable=SC2317  # runs in the background
supervise() {
    trap 'exit 0' TERM
    while [[ ! -e $RUN_DIR/stop ]]; do
        DATABASE_URL=$DATABASE_URL "$PARLEY_BIN" "${serve_args[@]}" </dev/null >>"$LOG_DIR/parley.log" 2>&1 &
        local pid=$!
        echo "$pid" >"$PARLEY_PIDFILE"
        wait "$pid" || true
        [[ -e $RUN_DIR/stop ]] && break
        printf 'chaos restart loop: parley master %s exited; starting another\n' "$pid" >>"$LOG_DIR/parley.log"
        sleep 0.2
    done
}
# (Its stderr to the log too: bash reports there each master that a signal killed.)
supervise 2>>"$LOG_DIR/parley.log" &
supervisor_pid=$!
for _ in $(seq 100); do pid_alive "$PARLEY_PIDFILE" && break; sleep 0.1; done
wait_for_socket "$SOCK" "$(<"$PARLEY_PIDFILE")" 30 || die "parley serve did not create $SOCK"

# ---------------------------------------------------------------- nginx
export PARLEY_RATE_LIMIT=1000000r/s PARLEY_RATE_BURST=1000000 PARLEY_CONN_LIMIT=65535
ensure_cert "$T/tls"
cp -R -- "$PARLEY_ROOT/public" "$T/public"
chmod -R a+rX "$T/public"
NGINX_CONF=$NGINX_PREFIX/conf/nginx.conf
render_stack_nginx "$NGINX_CONF" "$NGINX_PIDFILE" "$LOG_DIR" "$NGINX_PREFIX/tmp" "$SOCK" \
    "$T/public" "$T/tls" "$HTTP_PORT" "$HTTPS_PORT"
"$(nginx_bin)" -p "$NGINX_PREFIX/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" </dev/null ||
    die "nginx did not start"
URL=https://127.0.0.1:$HTTPS_PORT
code=$(wait_for_http "$URL/healthz" 200 30) || die "GET $URL/healthz answered $code"

# ---------------------------------------------------------------- the scenarios
export CHAOS_URL=$URL CHAOS_SOCKET=$SOCK CHAOS_PARLEY_PIDFILE=$PARLEY_PIDFILE CHAOS_DIR=$T
CHAOS_PG_BINDIR=$(pg_bindir)
CHAOS_PG_CTL=$(printf '%q ' "$PARLEY_ROOT/scripts/pg-ctl.sh" "$PGDATA_DIR" "$PG_DIR/postgres.log")
export CHAOS_PG_SOCKDIR=$PG_SOCKDIR CHAOS_PG_PORT=$PG_PORT CHAOS_PG_BINDIR CHAOS_PG_CTL
export CHAOS_LOCK_TIMEOUT_MS=$PARLEY_DB_LOCK_TIMEOUT_MS CHAOS_PROCESSES=$PARLEY_PROCESSES
if ((SHORT)); then
    export CHAOS_OUT=${CHAOS_OUT:-$PARLEY_ROOT/chaos/out/short.md}
else
    export CHAOS_OUT=${CHAOS_OUT:-$PARLEY_ROOT/chaos/out/latest.md}
fi
export CHAOS_SCHEMATHESIS=${CHAOS_SCHEMATHESIS:-$PARLEY_ROOT/scripts/schemathesis.sh}
driver_args=()
((SHORT)) && driver_args+=(--short)
set +e
python3 "$PARLEY_ROOT/chaos/chaos.py" "${driver_args[@]}"
rc=$?
set -e
exit "$rc"
