# shellcheck shell=bash
# shellcheck disable=SC2034  # variables here are used by the scripts that source this file
# Shared helpers for Parley's operations scripts (stack.sh, test.sh, deps.sh).
# Sourced, never executed. Callers set `set -euo pipefail` themselves.
#
# Everything here derives its paths from the repository it lives in or from the
# environment; nothing is specific to one machine.

PARLEY_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"

# Debian packages the stack needs at run time and build time, plus every
# `.apt([...])` provider that Package.swift names for its system libraries
# (libfcgi-dev, libpq-dev, libsodium-dev, … as the package grows).
# The environment `parley serve` runs with (scripts/stack.sh, make bench; deploy/ sets the same):
# glibc's per-thread malloc cache with 64 chunks per size class instead of 7.
PARLEY_GLIBC_TUNABLES=glibc.malloc.tcache_count=64
# libnginx-mod-nchan: live updates (subscribers held by nginx, see docs/decisions/0008-live-updates-with-nchan.md).
PARLEY_DEPS=(libfcgi-dev libpq-dev libsodium-dev pkg-config nginx libnginx-mod-nchan postgresql openssl ssl-cert curl wrk)
package_apt_providers() {
    [[ -r $PARLEY_ROOT/Package.swift ]] || return 0
    grep -o '\.apt(\[[^]]*\])' "$PARLEY_ROOT/Package.swift" | grep -o '"[^"]*"' | tr -d '"' | sort -u
}
mapfile -t _parley_apt < <(package_apt_providers)
for _p in "${_parley_apt[@]}"; do
    [[ " ${PARLEY_DEPS[*]} " == *" $_p "* ]] || PARLEY_DEPS+=("$_p")
done
unset _p _parley_apt
# And for `make test`: Debian's docker-compose validates docker-compose.yml
# offline (`config -q`); python3 finds free ports; pip brings openapi-spec-validator
# (ensure_openapi_validator) when python3 lacks it. chromium: the live-update browser
# test (Tests/live/, driven by PyPI's playwright against this system chromium). PgBouncer: the
# cluster tests (scripts/cluster-test.sh).
PARLEY_TEST_DEPS=(docker-compose python3 python3-pip chromium pgbouncer)

IS_ROOT=0
[[ $EUID -eq 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------- messages

log()  { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Print the last lines of a log file, framed, if it exists (used on failure).
show_log() {
    local file=$1 lines=${2:-40}
    [[ -s $file ]] || return 0
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" -- "$file" >&2 || true
    printf -- '----- end of %s -----\n' "$file" >&2
}

# ---------------------------------------------------------------- packages

# ensure_packages PKG...: install whichever of PKG are missing. `apt-get update`
# runs once, and only when something is missing. A temporary policy-rc.d keeps
# the packages' services (the system nginx on :80, the system PostgreSQL
# cluster) from being started or restarted by the install: this project never
# uses them.
ensure_packages() {
    local missing=() p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0

    local sudo=()
    if ((!IS_ROOT)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            die "missing Debian packages: ${missing[*]}
  install them with: sudo apt-get install -y ${missing[*]}"
        fi
    fi

    log "installing Debian packages: ${missing[*]}"
    # The subshell owns the policy-rc.d it creates and removes it whatever happens.
    (
        created=0
        if [[ ! -e /usr/sbin/policy-rc.d ]]; then
            printf '#!/bin/sh\n# parley: keep package installs from starting services\nexit 101\n' |
                "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
            "${sudo[@]}" chmod 0755 /usr/sbin/policy-rc.d
            created=1
        fi
        # shellcheck disable=SC2317  # called by the trap
        cleanup_policy() { ((created)) && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; return 0; }
        trap cleanup_policy EXIT
        export DEBIAN_FRONTEND=noninteractive
        apt_opts=(-q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
            --no-install-recommends "${missing[@]}"
    )
}

# ensure_openapi_validator: `python3 -m openapi_spec_validator` (PyPI's
# openapi-spec-validator), which the OpenAPI tests run on /api/openapi.json; pip
# installs it only when python3 cannot import it. Debian's own python3 refuses pip
# installs (PEP 668) without --break-system-packages.
ensure_openapi_validator() {
    ensure_pip_module openapi_spec_validator openapi-spec-validator
}

# The schemathesis that scripts/schemathesis.sh installs when it is missing (a newer one may
# bring new checks: upgrade it on purpose, with the findings fixed).
SCHEMATHESIS_VERSION=4.32.5

# ensure_pip_module MODULE PACKAGE: pip installs PACKAGE when python3 cannot import
# MODULE (prometheus_client: the status page's OpenMetrics output is fed to its parser).
ensure_pip_module() {
    local module=$1 package=$2
    python3 -c "import $module" >/dev/null 2>&1 && return 0
    log "installing $package (pip)"
    python3 -m pip install -q "$package" ||
        python3 -m pip install -q --break-system-packages "$package" ||
        warn "pip could not install $package (the tests that use it will fail)"
}

# ---------------------------------------------------------------- building

# build_parley debug|release [extra swift build args...]: build and print the
# absolute path of the `parley` executable.
build_parley() {
    local config=$1
    shift
    command -v swift >/dev/null 2>&1 || die "swift is not on PATH"
    # Only the server: the test-support targets (@testable imports) do not build in release mode.
    log "swift build -c $config --product parley $*"
    (cd "$PARLEY_ROOT" && swift build -c "$config" --product parley "$@" >&2) || die "swift build -c $config failed"
    local bin
    bin="$(cd "$PARLEY_ROOT" && swift build -c "$config" --show-bin-path)/parley"
    [[ -x $bin ]] || die "the build produced no parley executable at $bin"
    printf '%s\n' "$bin"
}

# ---------------------------------------------------------------- users and paths

# The OS user that owns and runs PostgreSQL: `postgres` when we are root
# (initdb and postgres refuse root), ourselves otherwise.
pg_os_user() {
    if ((IS_ROOT)); then echo postgres; else id -un; fi
}

# as_pg CMD...: run CMD as pg_os_user.
# (From / so that postgres never complains about a working directory it cannot enter.)
as_pg() {
    if ((IS_ROOT)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The user nginx workers run as when the master is root.
nginx_worker_user() {
    if getent passwd www-data >/dev/null; then echo www-data; else echo nobody; fi
}
nginx_worker_group() {
    local u
    u=$(nginx_worker_user)
    id -gn "$u"
}

# user_can USER TEST-ARGS...: true if USER passes `test TEST-ARGS` (e.g. -x DIR).
# Only meaningful as root; otherwise it checks as ourselves.
user_can() {
    local user=$1
    shift
    if ((IS_ROOT)); then
        runuser -u "$user" -- test "$@" 2>/dev/null
    else
        test "$@"
    fi
}

# The longest path a unix socket may have (sun_path is 108 bytes with the NUL).
UNIX_PATH_MAX=107

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [[ -x $d/initdb ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (package postgresql)"
    printf '%s\n' "$d"
}

# Escape a value for a single-quoted postgresql.conf string.
pg_conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# pg_init DATADIR: create a cluster in DATADIR (whose parent must exist and be
# writable by pg_os_user) unless one is already there.
pg_init() {
    local datadir=$1 bindir
    bindir=$(pg_bindir)
    if [[ -f $datadir/PG_VERSION ]]; then
        return 0
    fi
    log "initdb $datadir"
    as_pg "$bindir/initdb" -D "$datadir" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=reject >"$datadir.initdb.log" 2>&1 ||
        { show_log "$datadir.initdb.log"; die "initdb failed"; }
    # Runtime settings (socket dir, port, …) live in parley.conf, rewritten at
    # every start so that a moved checkout still works.
    printf '\n# Parley: runtime settings written by scripts/lib.sh at every start\ninclude_if_exists = %s\n' \
        "'parley.conf'" | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
}

# pg_write_runtime_conf DATADIR SOCKDIR PORT [EXTRA-LINES]: unix socket only.
pg_write_runtime_conf() {
    local datadir=$1 sockdir=$2 port=$3 extra=${4:-}
    {
        echo "# Written by Parley's scripts/lib.sh at every start; edits are lost."
        echo "listen_addresses = ''"
        echo "port = $port"
        echo "unix_socket_directories = $(pg_conf_quote "$sockdir")"
        echo "unix_socket_permissions = 0770"
        echo "log_line_prefix = '%m [%p] %q%u@%d '"
        if [[ -n $extra ]]; then printf '%s\n' "$extra"; fi
    } | as_pg tee "$datadir/parley.conf" >/dev/null
}

# pg_running DATADIR: is the cluster's postmaster alive?
pg_running() {
    local datadir=$1
    [[ -f $datadir/postmaster.pid ]] || return 1
    as_pg "$(pg_bindir)/pg_ctl" -D "$datadir" status >/dev/null 2>&1
}

# pg_start DATADIR LOGFILE
pg_start() {
    local datadir=$1 logfile=$2
    if pg_running "$datadir"; then
        log "PostgreSQL already running ($datadir)"
        return 0
    fi
    log "starting PostgreSQL ($datadir)"
    # pg_ctl puts the postmaster in its own session: a Ctrl-C at the terminal
    # does not reach it; we stop it ourselves through its pid file.
    as_pg "$(pg_bindir)/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start >/dev/null ||
        { show_log "$logfile"; die "PostgreSQL did not start"; }
}

# pg_stop DATADIR
pg_stop() {
    local datadir=$1
    if pg_running "$datadir"; then
        log "stopping PostgreSQL"
        as_pg "$(pg_bindir)/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >/dev/null ||
            warn "pg_ctl stop failed for $datadir"
    fi
}

# pg_ensure_app_db SOCKDIR PORT: role parley (LOGIN CREATEDB, not superuser)
# owning database parley.
pg_ensure_app_db() {
    local sockdir=$1 port=$2
    local psql=("$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -U postgres)
    "${psql[@]}" -d postgres <<'SQL' >/dev/null
SELECT 'CREATE ROLE parley LOGIN CREATEDB NOSUPERUSER'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parley') \gexec
SELECT 'CREATE DATABASE parley OWNER parley'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'parley') \gexec
SQL
}

# Percent-encode a string for a URI query value.
uri_encode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [a-zA-Z0-9/._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# database_url SOCKDIR PORT: libpq URI for role/db parley over the unix socket.
database_url() {
    printf 'postgresql://parley@/parley?host=%s&port=%s' "$(uri_encode "$1")" "$2"
}

# ---------------------------------------------------------------- TLS

# ensure_cert DIR: a self-signed certificate for 127.0.0.1 and localhost,
# created once (DIR/cert.pem, DIR/key.pem).
ensure_cert() {
    local dir=$1
    if [[ -s $dir/cert.pem && -s $dir/key.pem ]]; then
        return 0
    fi
    log "generating a self-signed certificate for 127.0.0.1 and localhost"
    mkdir -p "$dir"
    (
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
            -days 825 -subj "/O=Parley development/CN=127.0.0.1" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -addext "basicConstraints=critical,CA:FALSE" \
            -addext "keyUsage=critical,digitalSignature" \
            -addext "extendedKeyUsage=serverAuth" \
            -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    ) || die "openssl could not create a certificate in $dir"
    chmod 0644 "$dir/cert.pem"
}

# ensure_secret FILE: a random key (64 base64 characters) in FILE, mode 0600
# (parley refuses a key file with any group or other bits), made once. Used as
# PARLEY_JWT_SECRET_FILE so tokens survive restarts.
ensure_secret() {
    local file=$1
    if [[ ! -s $file ]]; then
        mkdir -p "$(dirname -- "$file")"
        (umask 077 && openssl rand -base64 48 >"$file") || die "openssl could not create $file"
    fi
    chmod 0600 "$file"
}

# compose_check: `docker-compose config -q` on docker-compose.yml. The file has no
# default signing key (PARLEY_JWT_SECRET is required), so the check gives it a
# throwaway one, and also checks that without one the file is refused.
compose_check() {
    local file=$PARLEY_ROOT/docker-compose.yml
    if env -u PARLEY_JWT_SECRET docker-compose -f "$file" config -q >/dev/null 2>&1; then
        die "docker-compose.yml accepts an unset PARLEY_JWT_SECRET: it must have no default signing key"
    fi
    PARLEY_JWT_SECRET=$(openssl rand -base64 48) docker-compose -f "$file" config -q ||
        die "docker-compose.yml is invalid"
}

# ---------------------------------------------------------------- ports

# free_ports N: print N distinct free TCP ports on 127.0.0.1, one per line.
free_ports() {
    local n=$1
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$n" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
        return
    fi
    # Fallback without python3: random ports that nothing answers on.
    local found=() p
    while ((${#found[@]} < n)); do
        p=$((20000 + RANDOM % 40000))
        [[ " ${found[*]} " == *" $p "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then found+=("$p"); fi
    done
    printf '%s\n' "${found[@]}"
}

# port_in_use PORT: something listens on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- processes

# pid_alive PIDFILE: the pid in PIDFILE is a live process.
pid_alive() {
    local f=$1 pid
    [[ -s $f ]] || return 1
    pid=$(<"$f")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# proc_state PID: the one-letter state from /proc (R, S, Z, …), empty if gone.
proc_state() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    printf '%s' "${stat%% *}"
}

# stop_pid PID NAME "SIG:SECS [SIG:SECS…]": send each signal in turn and wait
# up to SECS for the process to go, then SIGKILL. Only ever the one pid given.
stop_pid() {
    local pid=$1 name=$2 steps=$3 step sig secs i
    for step in $steps; do
        sig=${step%%:*}
        secs=${step##*:}
        kill -0 "$pid" 2>/dev/null || return 0
        kill "-$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < secs * 10; i++)); do
            kill -0 "$pid" 2>/dev/null || return 0
            # A zombie has exited: reap it if it is our child and stop waiting.
            if [[ $(proc_state "$pid") == Z ]]; then
                wait "$pid" 2>/dev/null || true
                return 0
            fi
            sleep 0.1
        done
        warn "$name (pid $pid) still running ${secs}s after SIG$sig"
    done
    kill -0 "$pid" 2>/dev/null || return 0
    warn "sending SIGKILL to $name (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# stop_pidfile PIDFILE NAME "SIG:SECS …"
stop_pidfile() {
    local f=$1
    if pid_alive "$f"; then
        stop_pid "$(<"$f")" "$2" "$3"
    fi
    rm -f -- "$f"
}

# wait_for_socket PATH PID SECONDS: the unix socket exists while PID lives.
wait_for_socket() {
    local sock=$1 pid=$2 secs=$3 i
    for ((i = 0; i < secs * 10; i++)); do
        [[ -S $sock ]] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# http_status URL: print the HTTP status code (000 when nothing answers).
http_status() {
    curl -k -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true
}

# wait_for_http URL WANT SECONDS: poll until URL answers WANT; print the last status.
wait_for_http() {
    local url=$1 want=$2 secs=$3 i code=000
    for ((i = 0; i < secs * 4; i++)); do
        code=$(http_status "$url")
        [[ $code == "$want" ]] && break
        sleep 0.25
    done
    printf '%s\n' "$code"
    [[ $code == "$want" ]]
}

# ---------------------------------------------------------------- parley

# parley_serve_args SOCKET: the flags for `parley serve` on a unix socket that
# nginx workers (group) may use and nobody else (mode 0660).
parley_serve_args() {
    local sock=$1
    local args=(serve --listen "unix:$sock" --socket-mode "${PARLEY_SOCKET_MODE:-0660}")
    if ((IS_ROOT)); then
        args+=(--socket-group "${PARLEY_SOCKET_GROUP:-$(nginx_worker_group)}")
    elif [[ -n ${PARLEY_SOCKET_GROUP:-} ]]; then
        args+=(--socket-group "$PARLEY_SOCKET_GROUP")
    fi
    printf '%s\n' "${args[@]}"
}

# parley_has_command BIN NAME: NAME is listed among `parley --help`'s subcommands
# (`parley help NAME` exits 0 even for a name it does not know).
# (Output captured first: `grep -q` closing a pipe early would make pipefail
# report a SIGPIPE as failure.)
parley_has_command() {
    local out
    out=$("$1" --help 2>/dev/null) || return 1
    grep -qE "^[[:space:]]+$2([[:space:]]|$)" <<<"$out"
}

# ---------------------------------------------------------------- nginx

nginx_bin() {
    local b
    b=$(command -v nginx 2>/dev/null || true)
    [[ -n $b ]] || b=/usr/sbin/nginx
    [[ -x $b ]] || die "nginx not found (package nginx)"
    printf '%s\n' "$b"
}

# Escape a string for the replacement side of a sed s|…|…| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# render_nginx_conf OUT NAME=VALUE...: render $PARLEY_ROOT/nginx.conf into OUT,
# replacing each @NAME@ with VALUE. Every placeholder must be given.
render_nginx_conf() {
    local out=$1 template=$PARLEY_ROOT/nginx.conf
    shift
    local -a subst=()
    local kv
    for kv in "$@"; do
        subst+=(-e "s|@${kv%%=*}@|$(sed_escape "${kv#*=}")|g")
    done
    mkdir -p "$(dirname -- "$out")"
    sed "${subst[@]}" "$template" >"$out.tmp"
    if grep -n '@[A-Z_]*@' "$out.tmp" >&2; then
        rm -f -- "$out.tmp"
        die "render_nginx_conf: placeholders left unreplaced in $out"
    fi
    mv -f -- "$out.tmp" "$out"
}

# render_stack_nginx OUT PIDFILE LOGDIR TEMPDIR SOCKET PUBLIC TLSDIR HTTP_PORT HTTPS_PORT:
# the nginx.conf of a dev or test stack. Rate limit from PARLEY_RATE_LIMIT
# (50r/s) and PARLEY_RATE_BURST (100); requests in flight per address from
# PARLEY_CONN_LIMIT (50, at most 65535).
render_stack_nginx() {
    local out=$1 pidfile=$2 logdir=$3 tempdir=$4 socket=$5 public=$6 tls=$7 http=$8 https=$9
    mkdir -p "$tempdir" "$logdir"
    render_nginx_conf "$out" \
        "USER_LINE=$(nginx_user_line "$public" "$(dirname -- "$socket")")" \
        "PID=$pidfile" \
        "ERROR_LOG=$logdir/nginx-error.log" \
        "ACCESS_LOG=$logdir/nginx-access.log" \
        "TEMP_DIR=$tempdir" \
        "SOCKET=$socket" \
        "PUBLIC=$public" \
        "CERT=$tls/cert.pem" \
        "KEY=$tls/key.pem" \
        "HTTP_PORT=$http" \
        "HTTPS_PORT=$https" \
        "RATE=${PARLEY_RATE_LIMIT:-50r/s}" \
        "BURST=${PARLEY_RATE_BURST:-100}" \
        "CONN=${PARLEY_CONN_LIMIT:-50}" \
        "NOFILE=$(nofile_limit)" \
        "LIVE_AUTH_SOCKET=$(live_auth_socket "$socket")" \
        "LIVE_PUBLISH_SOCKET=$(live_publish_socket "$socket")"
    ensure_live_dir "$socket"
    # A killed nginx leaves its unix sockets behind, and the next one could not bind them.
    if ! pid_alive "$pidfile"; then
        rm -f -- "$(live_auth_socket "$socket")" "$(live_publish_socket "$socket")"
    fi
}

# Live updates (Nchan), derived from parley's socket SOCKET so that two stacks (make bench's
# parley and C reference) never share one: the auth hop's socket beside it (nginx's
# workers connect to it), and the publisher's in a directory of its own, mode 0700, that
# only parley's user (and root's nginx master, which binds it) can enter.
# The descriptors nginx's workers may ask for: the hard limit, at most 65536.
nofile_limit() {
    local hard
    hard=$(ulimit -Hn)
    if [[ $hard == unlimited ]] || ((hard > 65536)); then hard=65536; fi
    printf '%s\n' "$hard"
}
live_auth_socket() { printf '%s\n' "${1%.sock}-live-auth.sock"; }
live_publish_dir() { printf '%s\n' "${1%.sock}-live"; }
live_publish_socket() { printf '%s\n' "$(live_publish_dir "$1")/publish.sock"; }
ensure_live_dir() {
    local dir
    dir=$(live_publish_dir "$1")
    mkdir -p "$dir"
    chmod 0700 "$dir"
}

# nginx_user_line PUBLIC_DIR SOCKET_DIR: the `user` directive for the rendered
# config. As root, workers run as www-data when that user can reach PUBLIC_DIR
# and SOCKET_DIR; otherwise (e.g. the checkout is in a 0700 home directory)
# they run as root, with a warning. Not root: no `user` directive at all.
nginx_user_line() {
    local public=$1 sockdir=$2 u g
    if ((!IS_ROOT)); then
        echo "# (not started as root: workers run as the invoking user)"
        return
    fi
    u=$(nginx_worker_user)
    g=$(nginx_worker_group)
    if user_can "$u" -r "$public/static/style.css" && user_can "$u" -x "$sockdir"; then
        echo "user $u $g;"
    else
        warn "nginx workers (user $u) cannot reach $public or $sockdir" \
            "(a parent directory is not traversable); running them as root for this dev/test stack." \
            "Move the checkout somewhere $u can traverse to avoid this."
        echo "user root root;"
    fi
}

# ---------------------------------------------------------------- the release profile (decision 0021)

# sources_tree: the git tree id of Sources/ as it is on disk, committed or not (through an index
# of its own, so the repository's is left alone). bench/pgo.sh records it beside the profile, and
# the bench report compares it with the code it measures.
sources_tree() {
    local dir
    dir=$(mktemp -d)
    GIT_INDEX_FILE=$dir/index git -C "$PARLEY_ROOT" add Sources &&
        GIT_INDEX_FILE=$dir/index git -C "$PARLEY_ROOT" write-tree --prefix=Sources/
    rm -rf "$dir"
}
