#!/usr/bin/env bash
# Parley's local stack: PostgreSQL (own cluster under .data/), `parley serve`
# on a unix socket, and nginx (TLS, static files) in front of it.
#
#   scripts/stack.sh run      everything in the foreground; Ctrl-C stops it all
#   scripts/stack.sh up       the same in the background (pid files in .data/run)
#   scripts/stack.sh down     stop whatever `up` or `run` started
#   scripts/stack.sh status   what is running
#   scripts/stack.sh env      print .data/parley.env
#   scripts/stack.sh psql     psql into the dev database
#   scripts/stack.sh nginx-test  render nginx.conf and run `nginx -t` on it
#
# Environment: PARLEY_HTTP_PORT (8080), PARLEY_HTTPS_PORT (8443),
# PARLEY_PG_PORT (5432; only names the unix socket, no TCP), PARLEY_DATA_DIR
# (.data), PARLEY_BUILD_CONFIG (release), PARLEY_RATE_LIMIT (50r/s),
# PARLEY_RATE_BURST (100), PARLEY_CONN_LIMIT (50), PARLEY_BIN (a parley executable to run instead of
# building one; make bench uses it); PARLEY_* settings of `parley serve` (workers, log
# level, …) pass through the environment to it.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Everything this script and what it starts create is its owner's only: parley.env
# (DATABASE_URL, the key's path), the logs (request paths, addresses, user ids), the
# demo log-ins that `parley seed` prints, the signing key and the TLS key. What the
# nginx workers (www-data) and postgres must reach gets an explicit mode below
# (make_dirs, prepare_pg_dirs); public/ is the checkout's own, untouched. Tested by
# scripts/check-file-modes.sh (make test).
umask 077

DATA=${PARLEY_DATA_DIR:-$PARLEY_ROOT/.data}
HTTP_PORT=${PARLEY_HTTP_PORT:-8080}
HTTPS_PORT=${PARLEY_HTTPS_PORT:-8443}
PG_PORT=${PARLEY_PG_PORT:-5432}
BUILD_CONFIG=${PARLEY_BUILD_CONFIG:-release}

RUN_DIR=$DATA/run
LOG_DIR=$DATA/log
NGINX_DIR=$DATA/nginx
NGINX_CONF=$NGINX_DIR/nginx.conf
TLS_DIR=$DATA/tls
SECRET_FILE=$DATA/secrets/jwt.key
ENV_FILE=$DATA/parley.env
SOCK=$RUN_DIR/parley.sock
PARLEY_PIDFILE=$RUN_DIR/parley.pid
NGINX_PIDFILE=$RUN_DIR/nginx.pid
STACK_PIDFILE=$RUN_DIR/stack.pid
PUBLIC=$PARLEY_ROOT/public
URL="https://127.0.0.1:$HTTPS_PORT/"

# Set by resolve_pg_dir.
PG_DIR=
PGDATA_DIR=
PG_SOCKDIR=

# ---------------------------------------------------------------- pieces

# Where the cluster lives: .data/pg, unless PostgreSQL's user cannot reach it
# (a checkout inside a 0700 home directory while we are root) or its socket
# path would be too long; then /var/tmp/parley-dev-HASH/pg with .data/pg a
# symlink to it. The choice is made once and kept (the symlink remembers it).
resolve_pg_dir() {
    local want=$DATA/pg
    if [[ -L $want ]]; then
        PG_DIR=$(readlink -- "$want")
    elif [[ -d $want ]]; then
        PG_DIR=$want
    else
        PG_DIR=$want
        local reason=''
        if ((IS_ROOT)) && ! user_can postgres -x "$DATA"; then
            reason="user postgres cannot traverse $DATA"
        elif ((${#want} + 20 > UNIX_PATH_MAX)); then
            reason="the socket path under $want would exceed $UNIX_PATH_MAX bytes"
        fi
        if [[ -n $reason ]]; then
            local hash
            hash=$(printf '%s' "$DATA" | cksum | cut -d' ' -f1)
            PG_DIR=/var/tmp/parley-dev-$hash/pg
            warn "$reason: keeping the PostgreSQL cluster in $PG_DIR ($want links to it)"
            mkdir -p "$PG_DIR"
            chmod 0755 "$(dirname -- "$PG_DIR")"
            ln -sfn -- "$PG_DIR" "$want"
        fi
    fi
    PGDATA_DIR=$PG_DIR/data
    PG_SOCKDIR=$PG_DIR/run
}

prepare_pg_dirs() {
    mkdir -p "$PG_DIR" "$PG_SOCKDIR"
    if ((IS_ROOT)); then
        chown postgres: "$PG_DIR" "$PG_SOCKDIR"
        # The data directory is created by initdb (it insists on 0700).
    fi
    chmod 0700 "$PG_DIR" "$PG_SOCKDIR"
}

write_env_file() {
    local url
    url=$(database_url "$PG_SOCKDIR" "$PG_PORT")
    {
        echo "# Parley dev stack (written by scripts/stack.sh). Use it with:"
        echo "#   set -a; . .data/parley.env; set +a"
        echo "# then psql, or .build/release/parley migrate --status, talk to the dev stack."
        shell_kv DATABASE_URL "$url"
        shell_kv PGDATA "$PGDATA_DIR"
        shell_kv PGHOST "$PG_SOCKDIR"
        shell_kv PGPORT "$PG_PORT"
        shell_kv PGUSER parley
        shell_kv PGDATABASE parley
        shell_kv PARLEY_LISTEN "unix:$SOCK"
        if [[ ${PARLEY_JWT_SECRET_FILE:-} == "$SECRET_FILE" ]]; then
            shell_kv PARLEY_JWT_SECRET_FILE "$SECRET_FILE"
        fi
        shell_kv PARLEY_SOCKET_MODE "${PARLEY_SOCKET_MODE:-0660}"
        if ((IS_ROOT)); then
            shell_kv PARLEY_SOCKET_GROUP "${PARLEY_SOCKET_GROUP:-$(nginx_worker_group)}"
        fi
        shell_kv PARLEY_HTTP_PORT "$HTTP_PORT"
        shell_kv PARLEY_HTTPS_PORT "$HTTPS_PORT"
        shell_kv PARLEY_URL "$URL"
    } >"$ENV_FILE.tmp"
    chmod 0600 "$ENV_FILE.tmp"
    mv -f "$ENV_FILE.tmp" "$ENV_FILE"
}

# shell_kv KEY VALUE: KEY='VALUE' with single quotes escaped.
shell_kv() {
    local q="'\\''"
    printf "%s='%s'\n" "$1" "${2//\'/$q}"
}

render_nginx() {
    render_stack_nginx "$NGINX_CONF" "$NGINX_PIDFILE" "$LOG_DIR" "$NGINX_DIR/tmp" "$SOCK" \
        "$PUBLIC" "$TLS_DIR" "$HTTP_PORT" "$HTTPS_PORT"
}

nginx_cmd() {
    "$(nginx_bin)" -p "$DATA/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" "$@"
}

nginx_test() {
    local out
    if ! out=$(nginx_cmd -t -q 2>&1); then
        printf '%s\n' "$out" >&2
        die "nginx -t failed for $NGINX_CONF"
    fi
}

make_dirs() {
    mkdir -p "$DATA" "$RUN_DIR" "$LOG_DIR" "$NGINX_DIR/tmp" "$TLS_DIR"
    # Others must traverse these (umask 077 would make them 0700): postgres .data,
    # the nginx workers .data/run (the socket itself is 0660) and nginx/tmp, where the
    # master makes their temp dirs (and gives them to the workers' user).
    chmod 0755 "$DATA" "$RUN_DIR" "$LOG_DIR" "$NGINX_DIR" "$NGINX_DIR/tmp"
    chmod 0700 "$TLS_DIR"
    mkdir -p "$DATA/secrets"
    chmod 0700 "$DATA/secrets"
    # The logs: owner only, also those an earlier run left readable. (nginx's master
    # opens its logs before its workers start; they write through its descriptors.)
    local f
    for f in parley.log nginx-error.log nginx-access.log; do
        : >>"$LOG_DIR/$f"
        chmod 0600 "$LOG_DIR/$f"
    done
    for f in "$ENV_FILE" "$DATA/.seeded"; do
        if [[ -e $f ]]; then chmod 0600 "$f"; fi
    done
}

# save_seed_output BIN: `parley seed` (demo accounts) with its output, the demo
# log-ins, kept in .data/.seeded (mode 0600) for the banners.
save_seed_output() {
    "$1" seed --log-level warning >"$DATA/.seeded.tmp" || return 1
    chmod 0600 "$DATA/.seeded.tmp"
    mv -f -- "$DATA/.seeded.tmp" "$DATA/.seeded"
}

# The demo log-ins that `parley seed` printed (kept in .data/.seeded), for the banners.
demo_logins() {
    [[ -s $DATA/.seeded ]] || return 0
    printf '\n'
    sed 's/^/  /' -- "$DATA/.seeded"
}

anything_running() {
    pid_alive "$STACK_PIDFILE" || pid_alive "$PARLEY_PIDFILE" || pid_alive "$NGINX_PIDFILE" ||
        { [[ -n $PGDATA_DIR ]] && pg_running "$PGDATA_DIR"; }
}

# ---------------------------------------------------------------- stopping

stop_stack() {
    stop_pidfile "$NGINX_PIDFILE" nginx "QUIT:10 TERM:5"
    local timeout=${PARLEY_SHUTDOWN_TIMEOUT:-10}
    stop_pidfile "$PARLEY_PIDFILE" parley "TERM:$((timeout + 5))"
    # parley removes its socket when it stops; a killed one leaves it behind.
    if [[ -S $SOCK ]] && ! pid_alive "$PARLEY_PIDFILE"; then rm -f -- "$SOCK"; fi
    [[ -n $PGDATA_DIR && -d $PGDATA_DIR ]] && pg_stop "$PGDATA_DIR"
    rm -f -- "$STACK_PIDFILE"
}

cmd_down() {
    if [[ -e $DATA/pg ]]; then resolve_pg_dir; fi
    if pid_alive "$STACK_PIDFILE"; then
        log "asking the running 'make run' (pid $(<"$STACK_PIDFILE")) to stop"
        stop_pid "$(<"$STACK_PIDFILE")" "make run" "TERM:40"
    fi
    stop_stack
    log "stopped"
}

# ---------------------------------------------------------------- starting

# start_stack fg|bg: everything up to a healthy stack. Sets parley_pid, nginx_pid.
start_stack() {
    local mode=$1

    ensure_packages "${PARLEY_DEPS[@]}"
    local bin
    if [[ -n ${PARLEY_BIN:-} ]]; then
        [[ -x $PARLEY_BIN ]] || die "PARLEY_BIN=$PARLEY_BIN is not an executable"
        bin=$PARLEY_BIN
    else
        bin=$(build_parley "$BUILD_CONFIG")
    fi

    make_dirs
    resolve_pg_dir
    if anything_running; then
        if [[ $mode == bg ]] && pid_alive "$PARLEY_PIDFILE" && pid_alive "$NGINX_PIDFILE"; then
            log "already up: $URL  (make down to stop)"
            exit 0
        fi
        die "part of the stack is already running; run 'make down' first"
    fi
    [[ $mode == fg ]] && echo $$ >"$STACK_PIDFILE"

    # From here on, a failure stops whatever was started.
    trap 'rc=$?; if ((rc != 0)); then warn "start failed; stopping what was started"; stop_stack; fi' EXIT

    ((${#SOCK} <= UNIX_PATH_MAX)) || die "socket path too long ($SOCK); set PARLEY_DATA_DIR to a shorter directory"
    for p in "$HTTP_PORT" "$HTTPS_PORT"; do
        port_in_use "$p" && die "127.0.0.1:$p is already in use (set PARLEY_HTTP_PORT / PARLEY_HTTPS_PORT)"
    done

    # PostgreSQL
    prepare_pg_dirs
    pg_init "$PGDATA_DIR"
    pg_write_runtime_conf "$PGDATA_DIR" "$PG_SOCKDIR" "$PG_PORT"
    pg_start "$PGDATA_DIR" "$PG_DIR/postgres.log"
    pg_ensure_app_db "$PG_SOCKDIR" "$PG_PORT"
    # Token signing key (kept in .data/secrets, so logins survive restarts),
    # unless one was given in the environment.
    if [[ -z ${PARLEY_JWT_SECRET:-} && -z ${PARLEY_JWT_SECRET_FILE:-} ]]; then
        ensure_secret "$SECRET_FILE"
        export PARLEY_JWT_SECRET_FILE=$SECRET_FILE
    fi

    write_env_file
    DATABASE_URL=$(database_url "$PG_SOCKDIR" "$PG_PORT")
    export DATABASE_URL

    log "parley migrate"
    "$bin" migrate || die "parley migrate failed"
    if [[ ! -e $DATA/.seeded ]] && parley_has_command "$bin" seed; then
        log "parley seed (first run only; 'make seed' runs it again)"
        # Its output (the demo log-ins) is kept in the marker, for the banners.
        save_seed_output "$bin" || die "parley seed failed"
    fi

    # nginx config and certificate
    ensure_cert "$TLS_DIR"
    render_nginx
    nginx_test

    # parley serve
    local args
    mapfile -t args < <(parley_serve_args "$SOCK")
    log "parley ${args[*]}"
    # glibc's per-thread cache holds 64 chunks per size instead of 7: fewer trips to the
    # shared arenas and malloc_consolidate (callgrind: /queries −8%); see README, Design notes.
    local tunables=${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}
    # Where nginx's Nchan publisher listens (live updates; nginx.conf).
    export PARLEY_LIVE_SOCKET=${PARLEY_LIVE_SOCKET:-$(live_publish_socket "$SOCK")}
    if [[ $mode == fg ]]; then
        # Own session: Ctrl-C reaches this script only, which then stops the
        # pieces in order. Logs still go to this terminal.
        GLIBC_TUNABLES=$tunables setsid "$bin" "${args[@]}" </dev/null &
    else
        GLIBC_TUNABLES=$tunables setsid "$bin" "${args[@]}" </dev/null >>"$LOG_DIR/parley.log" 2>&1 &
    fi
    parley_pid=$!
    echo "$parley_pid" >"$PARLEY_PIDFILE"
    if ! wait_for_socket "$SOCK" "$parley_pid" 30; then
        [[ $mode == bg ]] && show_log "$LOG_DIR/parley.log"
        die "parley serve did not create $SOCK"
    fi

    # nginx
    log "nginx on 127.0.0.1:$HTTP_PORT (redirect) and 127.0.0.1:$HTTPS_PORT (TLS)"
    if [[ $mode == fg ]]; then
        setsid "$(nginx_bin)" -p "$DATA/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" \
            -g 'daemon off;' </dev/null &
        nginx_pid=$!
    else
        nginx_cmd </dev/null || { show_log "$LOG_DIR/nginx-error.log"; die "nginx did not start"; }
        local i
        for ((i = 0; i < 50; i++)); do pid_alive "$NGINX_PIDFILE" && break; sleep 0.1; done
        nginx_pid=$(<"$NGINX_PIDFILE")
    fi

    local code
    if code=$(wait_for_http "${URL}healthz" 200 20); then
        log "healthy: GET /healthz → $code"
    else
        kill -0 "$nginx_pid" 2>/dev/null || { show_log "$LOG_DIR/nginx-error.log"; die "nginx exited"; }
        warn "GET ${URL}healthz answered $code (not 200); see $LOG_DIR/ and $PG_DIR/postgres.log"
    fi
    trap - EXIT
}

cmd_up() {
    start_stack bg
    cat >&2 <<EOF

  Parley is up:   $URL   (self-signed certificate: accept it once)
  health:         ${URL}healthz
  environment:    set -a; . ${ENV_FILE#"$PARLEY_ROOT"/}; set +a
  logs:           ${LOG_DIR#"$PARLEY_ROOT"/}/
  stop:           make down
$(demo_logins)

EOF
}

# A SIGINT sent to make's pid alone (kill -INT, not Ctrl-C at a terminal,
# which signals the whole process group) is not passed on to its children:
# make waits for them. But make then resets its SIGINT handler to the
# default, which /proc shows; watched_make_pid finds the make that runs us
# (if any, and if it handles SIGINT now) so that the run loop can notice.
catches_sigint() {
    local mask
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $mask ]] && (((16#$mask & 2) != 0))
}
watched_make_pid() {
    local pid=$PPID i comm
    for ((i = 0; i < 3 && pid > 1; i++)); do
        comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
        if [[ $comm == make ]]; then
            catches_sigint "$pid" && echo "$pid"
            return 0
        fi
        pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || return 0
    done
}

STOP_REQUESTED=0
cmd_run() {
    start_stack fg
    trap 'STOP_REQUESTED=1' INT TERM HUP
    # Whatever happens from here on, stop all three.
    trap 'trap "" INT TERM HUP; log "stopping"; stop_stack' EXIT
    cat >&2 <<EOF

  Parley is running:  $URL   (self-signed certificate: accept it once)
  health:             ${URL}healthz
  environment:        set -a; . ${ENV_FILE#"$PARLEY_ROOT"/}; set +a
  Press Ctrl-C to stop.
$(demo_logins)

EOF
    local make_pid
    make_pid=$(watched_make_pid)
    local sleeper
    while :; do
        # Wake up at least once a second (the sleeper) to look at make.
        sleep 1 &
        sleeper=$!
        wait -n "$parley_pid" "$nginx_pid" "$sleeper" 2>/dev/null || true
        kill "$sleeper" 2>/dev/null || true
        wait "$sleeper" 2>/dev/null || true
        ((STOP_REQUESTED)) && break
        if [[ -n $make_pid ]] && ! catches_sigint "$make_pid"; then
            log "make received SIGINT"
            break
        fi
        if ! kill -0 "$parley_pid" 2>/dev/null; then
            warn "parley serve exited on its own"
            exit 1
        fi
        if ! kill -0 "$nginx_pid" 2>/dev/null; then
            show_log "$LOG_DIR/nginx-error.log"
            warn "nginx exited on its own"
            exit 1
        fi
    done
    exit 0
}

cmd_status() {
    [[ -e $DATA/pg ]] && resolve_pg_dir
    local s
    if pid_alive "$STACK_PIDFILE"; then echo "make run:   running (pid $(<"$STACK_PIDFILE"))"; fi
    if [[ -n $PGDATA_DIR ]] && pg_running "$PGDATA_DIR"; then s="running ($PGDATA_DIR)"; else s="stopped"; fi
    echo "postgres:   $s"
    if pid_alive "$PARLEY_PIDFILE"; then s="running (pid $(<"$PARLEY_PIDFILE"), $SOCK)"; else s="stopped"; fi
    echo "parley:     $s"
    if pid_alive "$NGINX_PIDFILE"; then s="running (pid $(<"$NGINX_PIDFILE"), $URL)"; else s="stopped"; fi
    echo "nginx:      $s"
    if pid_alive "$NGINX_PIDFILE"; then
        echo "/healthz:   $(http_status "${URL}healthz")"
    fi
}

# make reload: rebuild parley (unless PARLEY_BIN names one), then SIGHUP to the running
# master: a new generation of workers starts from the executable on disk, and the old one
# drains once the new one is ready. No request fails; migrations do not run.
cmd_reload() {
    pid_alive "$PARLEY_PIDFILE" || die "parley is not running (make up first)"
    local bin before after i
    if [[ -n ${PARLEY_BIN:-} ]]; then bin=$PARLEY_BIN; else bin=$(build_parley "$BUILD_CONFIG"); fi
    before=$("$bin" status --listen "unix:$SOCK" | awk -F': *' '$1 == "generation" { print $2 }')
    kill -HUP "$(<"$PARLEY_PIDFILE")"
    for ((i = 0; i < 300; i++)); do
        # Done when the generation moved on and the master no longer reports a reload.
        after=$("$bin" status --listen "unix:$SOCK" 2>/dev/null | awk -F': *' '$1 == "generation" && g == "" { g = $2 } $1 == "reloading" { r = $2 } END { if (r == "0") print g }')
        [[ -n $after && $after != "$before" ]] && break
        sleep 0.1
    done
    [[ -n ${after:-} && $after != "$before" ]] || die "the reload did not complete in 30 s; see $LOG_DIR/parley.log"
    log "reloaded: generation $before → $after (parley status --listen unix:$SOCK)"
}

cmd_nginx_test() {
    make_dirs
    ensure_cert "$TLS_DIR"
    render_nginx
    nginx_test
    log "nginx -t: $NGINX_CONF is valid"
}

cmd_psql() {
    [[ -s $ENV_FILE ]] || die "no $ENV_FILE yet: run 'make up' first"
    set -a
    # shellcheck source=/dev/null
    . "$ENV_FILE"
    set +a
    exec "$(pg_bindir)/psql" "$@"
}

cmd_seed() {
    [[ -s $ENV_FILE ]] || die "no $ENV_FILE yet: run 'make up' first"
    local bin
    bin=$(build_parley "$BUILD_CONFIG")
    parley_has_command "$bin" seed || die "this parley has no 'seed' command yet"
    set -a
    # shellcheck source=/dev/null
    . "$ENV_FILE"
    set +a
    save_seed_output "$bin" || die "parley seed failed"
    cat -- "$DATA/.seeded"
}

# Sourced (scripts/check-file-modes.sh tests the functions above): define, do nothing.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then return 0; fi

case ${1:-} in
    run) cmd_run ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reload) cmd_reload ;;
    env) cat -- "$ENV_FILE" ;;
    psql) shift; cmd_psql "$@" ;;
    seed) cmd_seed ;;
    nginx-test) cmd_nginx_test ;;
    *)
        sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
