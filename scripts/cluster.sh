#!/usr/bin/env bash
# Parley past one machine, simulated on this one (issue 16): `make cluster`.
#
#   scripts/cluster.sh up      start the topology below in the background, print it
#   scripts/cluster.sh down    stop everything `up` started (by pid), keep the data
#   scripts/cluster.sh status  what runs, and the replica's lag
#   scripts/cluster.sh env     print the topology's env file (for the tests and the bench)
#   scripts/cluster.sh start-instance INDEX   start instance INDEX (0: host a) again
#
# The topology, all in $CLUSTER_DIR (.data/cluster):
#
#   client ─TLS─▶ nginx 127.0.0.1:8643 ── upstream parley_cluster (max_fails, fail_timeout)
#                   ├─ FastCGI/TCP ─▶ parley "host a" 127.0.0.1:9101 (master + workers)
#                   └─ FastCGI/TCP ─▶ parley "host b" 127.0.0.1:9102 (master + workers)
#   each parley:  writes ─▶ PostgreSQL primary  (or PgBouncer, transaction mode, then the primary)
#                 lag-tolerant reads ─▶ PostgreSQL replica (streaming, made by pg_basebackup -R)
#
# Environment: CLUSTER_DIR (.data/cluster), CLUSTER_HTTP_PORT (8680), CLUSTER_HTTPS_PORT
# (8643), CLUSTER_APP_PORTS ("9101 9102": one instance per port), CLUSTER_PG_PORTS
# ("5442 5443": primary, replica; unix sockets only), CLUSTER_PGBOUNCER=1 (PgBouncer on
# CLUSTER_PGBOUNCER_PORT, 6442), CLUSTER_PROCESSES (2 per instance), CLUSTER_THREADS (2),
# CLUSTER_NO_REPLICA=1 (instances without PARLEY_DATABASE_REPLICA_URL; the bench's
# "reads on the primary"), PARLEY_BIN (an executable to run instead of building a release one),
# PARLEY_BUILD_CONFIG (release). Other PARLEY_* settings pass through to `parley serve`.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
umask 077

D=${CLUSTER_DIR:-$PARLEY_ROOT/.data/cluster}
HTTP_PORT=${CLUSTER_HTTP_PORT:-8680}
HTTPS_PORT=${CLUSTER_HTTPS_PORT:-8643}
read -r -a APP_PORTS <<<"${CLUSTER_APP_PORTS:-9101 9102}"
read -r -a PG_PORTS <<<"${CLUSTER_PG_PORTS:-5442 5443}"
PRIMARY_PORT=${PG_PORTS[0]}
REPLICA_PORT=${PG_PORTS[1]}
BOUNCER_PORT=${CLUSTER_PGBOUNCER_PORT:-6442}
PGBOUNCER=${CLUSTER_PGBOUNCER:-0}
BUILD_CONFIG=${PARLEY_BUILD_CONFIG:-release}

# Where the PostgreSQL servers live: $D/pg, unless user postgres cannot traverse $D (a
# checkout under a 0700 directory, such as .data itself, while we are root); then
# /var/tmp/parley-cluster-HASH/pg, with $D/pg a symlink to it (as scripts/stack.sh does).
resolve_pg_dir() {
    local want=$D/pg hash
    if [[ -L $want ]]; then
        PG_DIR=$(readlink -- "$want")
    elif [[ -d $want ]] || ! ((IS_ROOT)) || user_can postgres -x "$D"; then
        PG_DIR=$want
    else
        hash=$(printf '%s' "$D" | cksum | cut -d' ' -f1)
        PG_DIR=/var/tmp/parley-cluster-$hash/pg
        if [[ $CMD == up ]]; then
            mkdir -p "$PG_DIR"
            chmod 0755 "$(dirname -- "$PG_DIR")"
            ln -sfn -- "$PG_DIR" "$want"
        fi
    fi
    PRIMARY_DATA=$PG_DIR/primary
    REPLICA_DATA=$PG_DIR/replica
    PG_SOCKDIR=$PG_DIR/run
}
RUN_DIR=$D/run
LOG_DIR=$D/log
NGINX_DIR=$D/nginx
NGINX_CONF=$NGINX_DIR/nginx.conf
NGINX_PIDFILE=$RUN_DIR/nginx.pid
BOUNCER_DIR=$D/pgbouncer
BOUNCER_PIDFILE=$BOUNCER_DIR/pgbouncer.pid
ENV_FILE=$D/cluster.env
SECRET_FILE=$D/secrets/jwt.key
URL="https://127.0.0.1:$HTTPS_PORT/"
INSTANCE_NAMES=(a b c d e f g h)

instance_pidfile() { printf '%s/parley-%s.pid\n' "$RUN_DIR" "${INSTANCE_NAMES[$1]}"; }

# ---------------------------------------------------------------- PostgreSQL

# libpq URLs. Both name both servers: target_session_attrs picks the one in the right role
# at every (re)connect, so a promoted replica or a replaced primary needs no parley restart.
primary_url() {
    local h
    h=$(uri_encode "$PG_SOCKDIR")
    printf 'postgresql://parley@/parley?host=%s,%s&port=%s,%s&target_session_attrs=read-write' \
        "$h" "$h" "$PRIMARY_PORT" "$REPLICA_PORT"
}
replica_url() {
    local h
    h=$(uri_encode "$PG_SOCKDIR")
    printf 'postgresql://parley@/parley?host=%s,%s&port=%s,%s&target_session_attrs=prefer-standby' \
        "$h" "$h" "$REPLICA_PORT" "$PRIMARY_PORT"
}
bouncer_url() {
    printf 'postgresql://parley@/parley?host=%s&port=%s' "$(uri_encode "$BOUNCER_DIR")" "$BOUNCER_PORT"
}

# Settings both servers share: streaming replication with room for a standby, and a
# standby that tells the primary what it reads (fewer cancelled queries on the replica).
pg_cluster_conf() {
    printf '%s\n' "wal_level = replica" "max_wal_senders = 5" "hot_standby = on" \
        "hot_standby_feedback = on" "wal_keep_size = '256MB'" "max_connections = 200" \
        "synchronous_commit = ${CLUSTER_SYNCHRONOUS_COMMIT:-on}"
}

start_postgres() {
    mkdir -p "$PG_DIR" "$PG_SOCKDIR"
    ((IS_ROOT)) && chown postgres: "$PG_DIR" "$PG_SOCKDIR"
    chmod 0700 "$PG_DIR"
    chmod 0755 "$PG_SOCKDIR"   # parley's instances (another user on real hosts) connect here
    pg_init "$PRIMARY_DATA"
    pg_write_runtime_conf "$PRIMARY_DATA" "$PG_SOCKDIR" "$PRIMARY_PORT" "$(pg_cluster_conf)"
    pg_start "$PRIMARY_DATA" "$PG_DIR/primary.log"
    pg_ensure_app_db "$PG_SOCKDIR" "$PRIMARY_PORT"

    if [[ ! -f $REPLICA_DATA/PG_VERSION ]]; then
        # A copy of the primary that streams from it: -R writes standby.signal and
        # primary_conninfo (the unix socket). Local replication connections are trusted
        # by initdb's pg_hba.conf.
        log "pg_basebackup -R (the replica)"
        as_pg "$(pg_bindir)/pg_basebackup" -h "$PG_SOCKDIR" -p "$PRIMARY_PORT" -U postgres \
            -D "$REPLICA_DATA" -R -X stream -c fast >"$PG_DIR/basebackup.log" 2>&1 ||
            { show_log "$PG_DIR/basebackup.log"; die "pg_basebackup failed"; }
    fi
    # Where the primary is, rewritten at every start like the port (pg_basebackup -R wrote the
    # ports of the first start into postgresql.auto.conf, which would win over parley.conf).
    as_pg sed -i '/^primary_conninfo/d' "$REPLICA_DATA/postgresql.auto.conf"
    pg_write_runtime_conf "$REPLICA_DATA" "$PG_SOCKDIR" "$REPLICA_PORT" "$(pg_cluster_conf)
primary_conninfo = $(pg_conf_quote "host=$PG_SOCKDIR port=$PRIMARY_PORT user=postgres application_name=replica")"
    pg_start "$REPLICA_DATA" "$PG_DIR/replica.log"
}

# psql_on PORT SQL: one statement as the superuser, tuples only.
psql_on() {
    "$(pg_bindir)/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$1" -U postgres -d parley -c "$2"
}

# ---------------------------------------------------------------- PgBouncer

# Debian 12's PgBouncer is 1.18: transaction pooling cannot carry named prepared statements
# (1.21 can), so the instances send unnamed ones (PARLEY_DB_PREPARED_STATEMENTS=0), and the
# session settings parley SETs on connect are the role's defaults too (a SET lands on one
# server connection of many).
start_pgbouncer() {
    ensure_packages pgbouncer
    mkdir -p "$BOUNCER_DIR"
    ((IS_ROOT)) && chown postgres: "$BOUNCER_DIR"
    chmod 0755 "$BOUNCER_DIR"
    psql_on "$PRIMARY_PORT" "ALTER ROLE parley SET statement_timeout = '30s'; ALTER ROLE parley SET lock_timeout = '10s'; ALTER ROLE parley SET idle_in_transaction_session_timeout = '60s'" >/dev/null
    printf '"parley" ""\n' | as_pg tee "$BOUNCER_DIR/userlist.txt" >/dev/null
    as_pg tee "$BOUNCER_DIR/pgbouncer.ini" >/dev/null <<EOF
; Written by scripts/cluster.sh at every start; edits are lost.
[databases]
parley = host=$PG_SOCKDIR port=$PRIMARY_PORT dbname=parley
[pgbouncer]
listen_addr =
listen_port = $BOUNCER_PORT
unix_socket_dir = $BOUNCER_DIR
unix_socket_mode = 0777
pidfile = $BOUNCER_PIDFILE
logfile = $BOUNCER_DIR/pgbouncer.log
auth_type = trust
auth_file = $BOUNCER_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 10
max_client_conn = 400
server_reset_query =
ignore_startup_parameters = extra_float_digits,options,application_name
EOF
    log "PgBouncer (transaction pooling) on $BOUNCER_DIR/.s.PGSQL.$BOUNCER_PORT"
    as_pg pgbouncer -d "$BOUNCER_DIR/pgbouncer.ini" || { show_log "$BOUNCER_DIR/pgbouncer.log"; die "pgbouncer did not start"; }
    local i
    for ((i = 0; i < 50; i++)); do [[ -S $BOUNCER_DIR/.s.PGSQL.$BOUNCER_PORT ]] && return 0; sleep 0.1; done
    show_log "$BOUNCER_DIR/pgbouncer.log"
    die "pgbouncer did not create its socket"
}

# ---------------------------------------------------------------- parley

# start_instance INDEX BIN: `parley serve` on 127.0.0.1:PORT, as a separate host would run it.
start_instance() {
    local i=$1 bin=$2 port=${APP_PORTS[$1]} name=${INSTANCE_NAMES[$1]} pid
    # Unbound: the instances stand for separate hosts but share this machine's CPUs, and each
    # would bind its workers to the same ones (docs/decisions/0023-one-cpu-per-worker-process.md).
    local env=(DATABASE_URL="$DATABASE_URL" PARLEY_JWT_SECRET_FILE="$SECRET_FILE"
        GLIBC_TUNABLES="${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}" PARLEY_CPU_AFFINITY=off)
    if [[ ${CLUSTER_NO_REPLICA:-0} != 1 ]]; then env+=(PARLEY_DATABASE_REPLICA_URL="$(replica_url)"); fi
    if [[ $PGBOUNCER == 1 ]]; then env+=(PARLEY_DB_PREPARED_STATEMENTS=0); fi
    log "parley serve, host $name: 127.0.0.1:$port"
    env "${env[@]}" setsid "$bin" serve --listen "127.0.0.1:$port" \
        --processes "${CLUSTER_PROCESSES:-2}" --threads "${CLUSTER_THREADS:-2}" \
        </dev/null >>"$LOG_DIR/parley-$name.log" 2>&1 &
    pid=$!
    echo "$pid" >"$(instance_pidfile "$i")"
    local n
    for ((n = 0; n < 300; n++)); do
        port_in_use "$port" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    show_log "$LOG_DIR/parley-$name.log"
    die "parley (host $name) does not listen on 127.0.0.1:$port"
}

# ---------------------------------------------------------------- nginx

# The repository's nginx.conf, with its one-socket upstream replaced by the instances over
# TCP, and retries to the next instance. nginx (since 1.9.13) never passes a request with a
# non-idempotent method (POST, PATCH, LOCK) to another server once it was sent, unless
# `non_idempotent` is listed: so a POST is never re-sent; GET, HEAD, PUT, DELETE are.
render_cluster_nginx() {
    mkdir -p "$NGINX_DIR/tmp" "$LOG_DIR"
    chmod 0755 "$D" "$NGINX_DIR" "$LOG_DIR"
    render_stack_nginx "$NGINX_CONF.base" "$NGINX_PIDFILE" "$LOG_DIR" "$NGINX_DIR/tmp" \
        "$RUN_DIR/unused.sock" "$PARLEY_ROOT/public" "$D/tls" "$HTTP_PORT" "$HTTPS_PORT"
    local servers='' p
    for p in "${APP_PORTS[@]}"; do
        servers+="        server 127.0.0.1:$p max_fails=${CLUSTER_MAX_FAILS:-2} fail_timeout=${CLUSTER_FAIL_TIMEOUT:-10s};\\n"
    done
    sed -e "s|^\( *\)server unix:$RUN_DIR/unused.sock;|${servers%\\n}|" \
        -e 's|^\( *\)fastcgi_keep_conn on;|&\n\1# Cluster: a failed or timed-out GET/HEAD goes to the other instance (twice at most,\n\1# within 10 s); a POST or PATCH that reached an instance is never re-sent.\n\1fastcgi_next_upstream error timeout;\n\1fastcgi_next_upstream_tries 2;\n\1fastcgi_next_upstream_timeout 10s;|' \
        -e 's|^\( *\)fastcgi_connect_timeout 5s;|\1fastcgi_connect_timeout 1s;|' \
        "$NGINX_CONF.base" >"$NGINX_CONF"
    rm -f -- "$NGINX_CONF.base"
    grep -q "server 127.0.0.1:${APP_PORTS[0]}" "$NGINX_CONF" || die "could not render the cluster's upstream into $NGINX_CONF"
    nginx_cmd -t -q || die "nginx -t failed for $NGINX_CONF"
}
nginx_cmd() { "$(nginx_bin)" -p "$D/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" "$@"; }

# ---------------------------------------------------------------- commands

write_env() {
    {
        echo "# Written by scripts/cluster.sh: set -a; . ${ENV_FILE#"$PARLEY_ROOT"/}; set +a"
        printf 'CLUSTER_DIR=%q\n' "$D"
        printf 'CLUSTER_URL=%q\n' "${URL%/}"
        printf 'CLUSTER_APP_PORTS=%q\n' "${APP_PORTS[*]}"
        printf 'CLUSTER_PG_PORTS=%q\n' "${PG_PORTS[*]}"
        printf 'CLUSTER_PG_SOCKDIR=%q\n' "$PG_SOCKDIR"
        printf 'CLUSTER_PRIMARY_DATA=%q\n' "$PRIMARY_DATA"
        printf 'CLUSTER_REPLICA_DATA=%q\n' "$REPLICA_DATA"
        printf 'CLUSTER_RUN_DIR=%q\n' "$RUN_DIR"
        printf 'CLUSTER_LOG_DIR=%q\n' "$LOG_DIR"
        printf 'CLUSTER_PGBOUNCER=%q\n' "$PGBOUNCER"
        printf 'DATABASE_URL=%q\n' "$DATABASE_URL"
        printf 'PARLEY_DATABASE_REPLICA_URL=%q\n' "$(replica_url)"
        printf 'PARLEY_JWT_SECRET_FILE=%q\n' "$SECRET_FILE"
        printf 'CLUSTER_PARLEY_BIN=%q\n' "$bin"
    } >"$ENV_FILE"
    chmod 0600 "$ENV_FILE"
}

cmd_up() {
    ensure_packages "${PARLEY_DEPS[@]}"
    local bin
    if [[ -n ${PARLEY_BIN:-} ]]; then
        [[ -x $PARLEY_BIN ]] || die "PARLEY_BIN=$PARLEY_BIN is not an executable"
        bin=$PARLEY_BIN
    else
        bin=$(build_parley "$BUILD_CONFIG")
    fi
    mkdir -p "$D" "$RUN_DIR" "$LOG_DIR"
    chmod 0755 "$D" "$RUN_DIR"
    if pid_alive "$NGINX_PIDFILE"; then die "the cluster is already up ($URL); make cluster-down first"; fi
    local p
    for p in "$HTTP_PORT" "$HTTPS_PORT" "${APP_PORTS[@]}"; do
        port_in_use "$p" && die "127.0.0.1:$p is already in use (see CLUSTER_*_PORT(S) in scripts/cluster.sh)"
    done
    trap 'rc=$?; if ((rc != 0)); then warn "start failed; stopping what was started"; cmd_down; fi' EXIT

    start_postgres
    ensure_secret "$SECRET_FILE"
    log "parley migrate (on the primary)"
    DATABASE_URL=$(primary_url) "$bin" migrate >>"$LOG_DIR/migrate.log" 2>&1 ||
        { show_log "$LOG_DIR/migrate.log"; die "parley migrate failed"; }
    if [[ $PGBOUNCER == 1 ]]; then
        start_pgbouncer
        DATABASE_URL=$(bouncer_url)
    else
        DATABASE_URL=$(primary_url)
    fi
    export DATABASE_URL
    write_env

    local i
    for i in "${!APP_PORTS[@]}"; do start_instance "$i" "$bin"; done

    ensure_cert "$D/tls"
    render_cluster_nginx
    nginx_cmd </dev/null || { show_log "$LOG_DIR/nginx-error.log"; die "nginx did not start"; }
    local code
    code=$(wait_for_http "${URL}healthz" 200 20) || warn "GET ${URL}healthz answered $code"
    trap - EXIT
    print_topology
}

print_topology() {
    local i db=primary
    [[ $PGBOUNCER == 1 ]] && db="PgBouncer (transaction pooling, $BOUNCER_DIR/.s.PGSQL.$BOUNCER_PORT) ─▶ primary"
    cat >&2 <<EOF

  Parley cluster is up:  $URL   (self-signed certificate)

  nginx  127.0.0.1:$HTTPS_PORT  upstream parley: max_fails=${CLUSTER_MAX_FAILS:-2} fail_timeout=${CLUSTER_FAIL_TIMEOUT:-10s};
         fastcgi_next_upstream error timeout (GET/HEAD/PUT/DELETE only; a POST is never re-sent)
EOF
    for i in "${!APP_PORTS[@]}"; do
        printf '    ├─ parley host %s  127.0.0.1:%s  master pid %s, %s worker processes × %s threads\n' \
            "${INSTANCE_NAMES[$i]}" "${APP_PORTS[$i]}" "$(cat "$(instance_pidfile "$i")" 2>/dev/null)" \
            "${CLUSTER_PROCESSES:-2}" "${CLUSTER_THREADS:-2}" >&2
    done
    cat >&2 <<EOF
  writes and strict reads ─▶ $db   $PG_SOCKDIR/.s.PGSQL.$PRIMARY_PORT
  lag-tolerant reads      ─▶ replica (streaming, pg_basebackup -R)  $PG_SOCKDIR/.s.PGSQL.$REPLICA_PORT
  environment:  set -a; . ${ENV_FILE#"$PARLEY_ROOT"/}; set +a
  logs:         ${LOG_DIR#"$PARLEY_ROOT"/}/
  stop:         make cluster-down

EOF
}

# start-instance INDEX: start one instance again (after a test killed it), as `up` did.
cmd_start_instance() {
    local i=${1:?usage: scripts/cluster.sh start-instance INDEX}
    [[ -s $ENV_FILE ]] || die "no $ENV_FILE: the cluster was never started"
    DATABASE_URL=$(sed -n 's/^DATABASE_URL=//p' "$ENV_FILE")
    DATABASE_URL=$(eval "printf '%s' $DATABASE_URL")
    export DATABASE_URL
    local bin
    bin=$(eval "printf '%s' $(sed -n 's/^CLUSTER_PARLEY_BIN=//p' "$ENV_FILE")")
    pid_alive "$(instance_pidfile "$i")" && die "host ${INSTANCE_NAMES[$i]} is running"
    start_instance "$i" "$bin"
}

cmd_down() {
    local i
    stop_pidfile "$NGINX_PIDFILE" nginx "QUIT:10 TERM:5"
    for i in "${!APP_PORTS[@]}"; do
        stop_pidfile "$(instance_pidfile "$i")" "parley (host ${INSTANCE_NAMES[$i]})" "TERM:$((${PARLEY_SHUTDOWN_TIMEOUT:-10} + 5))"
    done
    stop_pidfile "$BOUNCER_PIDFILE" pgbouncer "INT:5 TERM:5"
    [[ -d $REPLICA_DATA ]] && pg_stop "$REPLICA_DATA"
    [[ -d $PRIMARY_DATA ]] && pg_stop "$PRIMARY_DATA"
    return 0
}

cmd_status() {
    local i s
    for i in "${!APP_PORTS[@]}"; do
        if pid_alive "$(instance_pidfile "$i")"; then s="running (pid $(<"$(instance_pidfile "$i")"), 127.0.0.1:${APP_PORTS[$i]})"; else s=stopped; fi
        echo "parley host ${INSTANCE_NAMES[$i]}: $s"
    done
    if pid_alive "$NGINX_PIDFILE"; then s="running ($URL)"; else s=stopped; fi
    echo "nginx:          $s"
    if pg_running "$PRIMARY_DATA" 2>/dev/null; then s=running; else s=stopped; fi
    echo "primary:        $s"
    if pg_running "$REPLICA_DATA" 2>/dev/null; then
        echo "replica:        running, $(psql_on "$REPLICA_PORT" "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 'not streaming (cut off from the primary)' WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 'streaming, caught up at ' || pg_last_wal_replay_lsn() ELSE 'streaming, replay lag ' || (now() - pg_last_xact_replay_timestamp()) END" 2>/dev/null || echo '?')"
    else
        echo "replica:        stopped"
    fi
    if pid_alive "$BOUNCER_PIDFILE"; then echo "pgbouncer:      running"; fi
}

CMD=${1:-}
mkdir -p "$D"
# As scripts/stack.sh: others (postgres, the nginx workers) traverse .data; what is private
# inside it (secrets, logs, the env file) has its own mode.
if [[ -z ${CLUSTER_DIR:-} ]]; then chmod 0755 "$PARLEY_ROOT/.data"; fi
chmod 0755 "$D"
resolve_pg_dir
case $CMD in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cat "$ENV_FILE" ;;
    start-instance) cmd_start_instance "${2:-}" ;;
    *) die "usage: scripts/cluster.sh up|down|status|env|start-instance INDEX" ;;
esac
