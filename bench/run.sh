#!/usr/bin/env bash
# `make bench`: load tests of parley through nginx, side by side with a C reference.
#
#  1. builds parley in release mode (--scratch-path .build-bench) and the C reference
#     (bench/reference/reference.c: libfcgi + libpq, same threading design, no framework);
#  2. starts its own stack with scripts/stack.sh (PostgreSQL, `parley serve --bench`, nginx
#     from the same nginx.conf users get) under bench/out/stack, on free loopback ports, with
#     nginx's limit_req and the app's message rate limit raised through their env knobs;
#     then the C reference on its own unix socket behind a second nginx rendered from the
#     same nginx.conf with only the socket (and ports) switched;
#  3. creates the TechEmpower tables and, once, the messaging data set (COPY);
#  4. checks every endpoint's answer (status, type, body) on both servers;
#  5. runs wrk (-t2, 64 and 256 connections) per scenario, parley and C interleaved
#     (parley, C, parley, C…), so machine noise hits both alike;
#  6. prints Markdown tables (also bench/out/latest.md) ending in
#     `min ratio vs C reference: X.XX`; stops everything it started, by pid (trap EXIT).
#
# Knobs: BENCH_DURATION (seconds per run, 4), BENCH_WARMUP (1), BENCH_ROUNDS (5: runs per
# server per TechEmpower scenario), BENCH_APP_ROUNDS (3), BENCH_CONNECTIONS ("64 256"),
# BENCH_ONLY (any of "te app growth bulk", or "live" alone for bench/live.sh, or "cluster" alone for bench/cluster.sh; default "te app growth"; bulk runs bench/bulk.sh), BENCH_TESTS (TechEmpower subset, e.g.
# "json db"), BENCH_THREADS (wrk threads, 2), BENCH_SCRATCH (.build-bench), BENCH_PG_PORT (5433),
# BENCH_RELOAD=1 (reload the messaging data set), BENCH_LOG_LEVEL (parley's, warning: no access
# log, as TechEmpower requires; info to include it), BENCH_HOLD=SECONDS (start and check, then
# keep both stacks up that long for experiments by hand; URLs in bench/out/urls.env),
# BENCH_OUT (bench/out: the stack, the reference, logs and results; another directory lets a
# second run, with its own BENCH_SCRATCH and BENCH_PG_PORT, go on beside the first).
# bench/profile.sh sets BENCH_PROFILE* (callgrind of one scenario). See bench/README.md.
set -euo pipefail

# BENCH_ONLY=cluster: the cluster bench alone (bench/cluster.sh, issue 16).
if [[ ${BENCH_ONLY:-} == cluster ]]; then exec "$(dirname -- "${BASH_SOURCE[0]}")/cluster.sh"; fi

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

BENCH=$PARLEY_ROOT/bench
OUT=${BENCH_OUT:-$BENCH/out}
DATA=$OUT/stack
REF_DIR=$OUT/reference
DURATION=${BENCH_DURATION:-4}
WARMUP=${BENCH_WARMUP:-1}
ROUNDS=${BENCH_ROUNDS:-5}
APP_ROUNDS=${BENCH_APP_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-64 256}
ONLY=${BENCH_ONLY:-te app growth}
# The live-update bench has a stack of its own (bench/live.sh): BENCH_ONLY=live runs just it.
if [[ $ONLY == live ]]; then exec "$PARLEY_ROOT/bench/live.sh"; fi
# "bulk" (BENCH_ONLY=bulk make bench): the bulk data bench, bench/bulk.sh, on a stack of its own.
if [[ " $ONLY " == *" bulk "* ]]; then
    "$BENCH/bulk.sh"
    ONLY=" $ONLY "
    ONLY=${ONLY// bulk / }
    [[ -n ${ONLY// /} ]] || exit 0
fi
THREADS=${BENCH_THREADS:-2}
SCRATCH=${BENCH_SCRATCH:-$PARLEY_ROOT/.build-bench}
PG_PORT=${BENCH_PG_PORT:-5433}
TE_TESTS=${BENCH_TESTS:-plaintext json db queries fortunes updates}

# The messaging data set: 1,000 users, 10,000 conversations; conversation 1 holds 10
# messages, 2 holds 10,000, 3 holds 1,000,000, the others 100 each (≈2.0 M messages).
DS_USERS=1000
DS_CONVERSATIONS=10000
DS_PER=100
DS_SMALL=10
DS_MEDIUM=10000
DS_LARGE=1000000
DS_VERSION="v1 $DS_USERS $DS_CONVERSATIONS $DS_PER $DS_SMALL $DS_MEDIUM $DS_LARGE"
BENCH_USER=benchuser
BENCH_PASSWORD=bench-password-not-secret-1
# The bench user takes part in conversations 1..BENCH_USER_CONVERSATIONS (the list scenario),
# reads conversation 5 (a page of messages) and posts to conversation 4 (every post to one
# conversation: they queue on its row) and, as TechEmpower's updates draw random rows, to
# conversations SPREAD_FIRST..BENCH_USER_CONVERSATIONS drawn at random.
BENCH_USER_CONVERSATIONS=103
READ_CONVERSATION=5
POST_CONVERSATION=4
SPREAD_FIRST=6
SPREAD_COUNT=$((BENCH_USER_CONVERSATIONS - SPREAD_FIRST + 1))
BENCH_POST_BODY="A message posted by make bench."

SECONDS=0
phase() { log "[$(printf '%4ds' "$SECONDS")] $*"; }

mkdir -p "$OUT" "$REF_DIR"
RESULTS=$OUT/results.tsv
WRK_LOG=$OUT/wrk.log
NOTES=$OUT/notes.txt
: >"$RESULTS"
: >"$WRK_LOG"
: >"$NOTES"
note() { printf '%s\n' "$*" >>"$NOTES"; warn "$*"; }

# ---------------------------------------------------------------- build

phase "building parley (release, $SCRATCH) and the C reference"
ensure_packages "${PARLEY_DEPS[@]}"
# Only the server: the test-support targets (@testable imports) do not build in release mode.
swift build -c release --scratch-path "$SCRATCH" --product parley >&2
PARLEY_BIN=$SCRATCH/release/parley
[[ -x $PARLEY_BIN ]] || die "no parley at $PARLEY_BIN"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc -O2 -Wall -o "$REF_DIR/reference" "$BENCH/reference/reference.c" $(pkg-config --cflags --libs fcgi libpq) -lpthread

# How far the code has moved since the release profile was recorded (bench/pgo.sh): a function
# changed since then is built without its profile.
profile_age() {
    local recorded now
    recorded=$(cat "$PARLEY_ROOT/pgo/parley.profdata.sources" 2>/dev/null) || { echo "recorded from unknown code"; return; }
    now=$(sources_tree)
    [[ $recorded != "$now" ]] || { echo "recorded from this Sources/"; return; }
    git -C "$PARLEY_ROOT" cat-file -e "$recorded^{tree}" 2>/dev/null || { echo "recorded from a Sources/ unknown here"; return; }
    printf 'recorded from another Sources/ (files that differ: %s)' "$(git -C "$PARLEY_ROOT" diff --name-only "$recorded" "$now" | wc -l)"
}

# ---------------------------------------------------------------- the stack

mapfile -t PORTS < <(free_ports 4)
export PARLEY_DATA_DIR=$DATA
export PARLEY_HTTP_PORT=${PORTS[0]} PARLEY_HTTPS_PORT=${PORTS[1]} PARLEY_PG_PORT=$PG_PORT
export PARLEY_BIN PARLEY_BENCH=1
# nginx's limit_req (the same directive users get, raised) and the app's per-user message limit.
export PARLEY_RATE_LIMIT=${BENCH_RATE_LIMIT:-1000000r/s} PARLEY_RATE_BURST=${BENCH_RATE_BURST:-1000000}
export PARLEY_CONN_LIMIT=${BENCH_CONN_LIMIT:-65535}
export PARLEY_MESSAGE_RATE_LIMIT=1000000000
# TechEmpower's rules: no disk logging during the runs. parley's access log (one line per
# request, level info) is off unless BENCH_LOG_LEVEL=info; warnings and errors still go to
# bench/out/stack/log/parley.log. (nginx logs as users' nginx does, for both servers.)
LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}
export PARLEY_LOG_LEVEL=$LOG_LEVEL
REF_HTTP_PORT=${PORTS[2]}
REF_HTTPS_PORT=${PORTS[3]}
REF_SOCK=$DATA/run/reference.sock
REF_PIDFILE=$REF_DIR/reference.pid
REF_NGINX=$REF_DIR/nginx
REF_NGINX_PIDFILE=$REF_NGINX/nginx.pid
# The C reference's threads: as many as parley's worker threads in all (its defaults: one
# process per core, two threads each).
WORKERS=$(( ${PARLEY_PROCESSES:-$(nproc)} * ${PARLEY_THREADS:-2} ))

stop_all() {
    trap '' INT TERM
    phase "stopping the bench stack"
    stop_pidfile "$REF_NGINX_PIDFILE" "reference nginx" "QUIT:10 TERM:5"
    stop_pidfile "$REF_PIDFILE" reference "TERM:5"
    rm -f -- "$REF_SOCK"
    scripts/stack.sh down >&2 || true
}
# Whatever a previous, interrupted run left behind (by its pid files only).
stop_all 2>/dev/null
trap stop_all EXIT
trap 'exit 130' INT TERM

# The logs of one run only (the access logs grow by ~200 bytes a request).
rm -f -- "$DATA"/log/parley.log "$DATA"/log/nginx-access.log "$REF_NGINX"/log/*.log

phase "starting PostgreSQL, parley serve --bench and nginx (scripts/stack.sh up)"
scripts/stack.sh up >&2
set -a
# shellcheck source=/dev/null
. "$DATA/parley.env"
set +a
PARLEY_PID=$(<"$DATA/run/parley.pid")
PARLEY_URL=https://127.0.0.1:$PARLEY_HTTPS_PORT
REF_URL=https://127.0.0.1:$REF_HTTPS_PORT
PSQL=("$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1)
PSQL_ADMIN=("${PSQL[@]}" -U postgres -d parley)

phase "TechEmpower tables (world, fortune)"
"${PSQL[@]}" -f "$BENCH/sql/techempower.sql" >/dev/null

phase "C reference ($WORKERS workers) behind its own nginx (same nginx.conf, socket switched)"
group_args=()
if ((IS_ROOT)); then group_args=(REF_SOCKET_GROUP="$(nginx_worker_group)"); fi
# The same malloc tunables as parley gets from scripts/stack.sh, and the same CPU scheduling
# policy as parley's workers (decision 0019), so both run alike.
ref_policy=()
if [[ ${PARLEY_CPU_SCHEDULING_POLICY:-batch} == batch ]]; then ref_policy=(chrt --batch 0); fi
env REF_SOCKET="$REF_SOCK" REF_WORKERS="$WORKERS" GLIBC_TUNABLES="${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}" "${group_args[@]}" \
    setsid "${ref_policy[@]}" "$REF_DIR/reference" </dev/null >>"$REF_DIR/reference.log" 2>&1 &
echo $! >"$REF_PIDFILE"
wait_for_socket "$REF_SOCK" "$(<"$REF_PIDFILE")" 10 || { show_log "$REF_DIR/reference.log"; die "the reference did not start"; }
render_stack_nginx "$REF_NGINX/nginx.conf" "$REF_NGINX_PIDFILE" "$REF_NGINX/log" "$REF_NGINX/tmp" "$REF_SOCK" \
    "$PARLEY_ROOT/public" "$DATA/tls" "$REF_HTTP_PORT" "$REF_HTTPS_PORT"
"$(nginx_bin)" -p "$REF_NGINX/" -c "$REF_NGINX/nginx.conf" -e "$REF_NGINX/log/nginx-error.log" </dev/null ||
    { show_log "$REF_NGINX/log/nginx-error.log"; die "the reference's nginx did not start"; }

# ---------------------------------------------------------------- messaging data set

# Ids as bench/messaging/generate.awk makes them.
conversation_id() { printf '00000000-0000-4000-a000-%012x' "$1"; }

# Waits (at most 5 s) until the message count of conversations $1.. stops moving: when wrk
# stops, the posts its closed connections had already sent are still queued in parley (about
# 200 at 256 connections, bench/README.md), and would otherwise run during the next round.
settle_posts() {
    local ids last= now tries=0
    ids=$(printf "'%s'," "$@")
    while ((tries++ < 50)); do
        now=$("${PSQL_ADMIN[@]}" -Atqc "SELECT sum(message_count) FROM conversations WHERE conversation_id IN (${ids%,})") || return 0
        [[ $now == "$last" ]] && return 0
        last=$now
        sleep 0.1
    done
}
message_id() { printf '%08x-0000-4000-8000-%012x' "$1" "$2"; }

have_messaging_schema() {
    local n
    n=$("${PSQL[@]}" -At -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
        AND table_name IN ('users', 'conversations', 'conversation_participants', 'messages')")
    [[ $n == 4 ]]
}

generate() {
    awk -v table="$1" -v users=$DS_USERS -v conversations=$DS_CONVERSATIONS -v per=$DS_PER \
        -v small=$DS_SMALL -v medium=$DS_MEDIUM -v large=$DS_LARGE -f "$BENCH/messaging/generate.awk"
}

load_messaging() {
    local loaded
    loaded=$("${PSQL[@]}" -At -c "SELECT to_regclass('bench_dataset') IS NOT NULL") || return 1
    if [[ $loaded == t && ${BENCH_RELOAD:-0} != 1 ]] &&
        [[ $("${PSQL[@]}" -At -c "SELECT version FROM bench_dataset") == "$DS_VERSION" ]]; then
        log "messaging data set already loaded ($DS_VERSION)"
        return 0
    fi
    phase "loading the messaging data set with COPY: $DS_USERS users, $DS_CONVERSATIONS conversations, ≈2 M messages"
    "${PSQL_ADMIN[@]}" -c "DROP TABLE IF EXISTS bench_dataset" \
        -c "TRUNCATE users, conversations, conversation_participants, messages CASCADE"
    local spec
    for spec in "users:users:user_id, username, email, first_name, last_name, password_hash, role" \
        "conversations:conversations:conversation_id, title, created_by, created_at, last_message_at" \
        "participants:conversation_participants:conversation_id, user_id, joined_at, last_read_at" \
        "messages:messages:message_id, conversation_id, sender_id, message_body, sent_at"; do
        local name=${spec%%:*} rest=${spec#*:}
        local table=${rest%%:*} columns=${rest#*:}
        log "COPY $table"
        # As the superuser, with triggers and foreign-key checks off for the load (the
        # generator makes consistent rows); indexes stay and COPY maintains them.
        generate "$name" | "${PSQL_ADMIN[@]}" -c "SET session_replication_role = replica" \
            -c "\\copy $table ($columns) FROM STDIN"
    done
    "${PSQL_ADMIN[@]}" -c "VACUUM ANALYZE users, conversations, conversation_participants, messages"
    "${PSQL[@]}" -c "CREATE TABLE bench_dataset (version text NOT NULL)" \
        -c "INSERT INTO bench_dataset VALUES ('$DS_VERSION')"
}

# POST JSON; prints "STATUS BODY".
post_json() {
    curl -k -s -o "$OUT/post.body" -w '%{http_code}' -H 'Content-Type: application/json' "${@:3}" --data-binary "$2" "$1" || true
    printf ' '
    cat "$OUT/post.body" 2>/dev/null || true
}

# A fresh access token for the bench user (registered through the API the first time).
bench_token() {
    local out
    out=$(post_json "$PARLEY_URL/api/token/" "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}")
    [[ ${out%% *} == 200 ]] || return 1
    sed -n 's/.*"access"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"${out#* }"
}

# A session cookie the way a browser gets one: GET /login (the CSRF cookie and the form's
# token), then POST the form; prints `__Host-parley_session=…` for a Cookie header.
bench_session_cookie() {
    local jar=$OUT/session.jar page csrf
    rm -f -- "$jar"
    page=$(curl -k -s -c "$jar" -b "$jar" "$PARLEY_URL/login") || return 1
    csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$page" | head -n 1)
    [[ -n $csrf ]] || return 1
    curl -k -s -o /dev/null -D "$OUT/login.headers" -c "$jar" -b "$jar" \
        --data-urlencode "username=$BENCH_USER" --data-urlencode "password=$BENCH_PASSWORD" \
        --data-urlencode "csrf_token=$csrf" "$PARLEY_URL/login" || return 1
    tr -d '\r' <"$OUT/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-parley_session=[^;]*\).*/\1/p' | tail -n 1
}
body_conversation_page() { [[ $1 == '<!DOCTYPE html>'* && $1 == *'class="messages thread"'* && $1 == *'</html>'* ]]; }

APP_READY=0
APP_WHY=
prepare_app() {
    if ! have_messaging_schema; then
        APP_WHY="the messaging tables (users, conversations, conversation_participants, messages) are not in the migrations yet"
        return 1
    fi
    local status
    status=$(http_status "$PARLEY_URL/api/conversations/")
    if [[ $status == 404 ]]; then
        APP_WHY="GET /api/conversations/ is not registered on main yet (404)"
        return 1
    fi
    load_messaging || { APP_WHY="loading the data set failed (schema changed? see above)"; return 1; }
    local out
    out=$(post_json "$PARLEY_URL/api/register/" \
        "{\"username\":\"$BENCH_USER\",\"email\":\"$BENCH_USER@bench.invalid\",\"password\":\"$BENCH_PASSWORD\",\"first_name\":\"Bench\",\"last_name\":\"User\"}")
    case ${out%% *} in
        201 | 200) log "registered $BENCH_USER through POST /api/register/" ;;
        400) ;;  # already registered (or the fields changed: the token request below tells)
        *) APP_WHY="POST /api/register/ answered ${out%% *}: ${out#* }"; return 1 ;;
    esac
    TOKEN=$(bench_token) || { APP_WHY="POST /api/token/ did not give a token"; return 1; }
    "${PSQL_ADMIN[@]}" >/dev/null <<SQL
SET session_replication_role = replica;
-- A reader who is up to date but for the last 10 messages of each conversation.
INSERT INTO conversation_participants (conversation_id, user_id, joined_at, last_read_at)
SELECT c.conversation_id, u.user_id, '2025-01-01 00:00:00+00', c.last_message_at - interval '10 seconds'
  FROM generate_series(1, $BENCH_USER_CONVERSATIONS) AS k
  JOIN conversations c ON c.conversation_id = ('00000000-0000-4000-a000-' || lpad(to_hex(k), 12, '0'))::uuid
 CROSS JOIN users u
 WHERE lower(u.username) = '$BENCH_USER'
ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_at = excluded.last_read_at;
-- Migration 0017's copy of each conversation's last activity, which the copying triggers set
-- and this role skips (for the rows above and for the data set's COPY).
UPDATE conversation_participants p SET conversation_last_message_at = c.last_message_at
  FROM conversations c
 WHERE c.conversation_id = p.conversation_id AND p.conversation_last_message_at IS DISTINCT FROM c.last_message_at;
-- Migration 0018's participants on each conversation, likewise (it writes only the stale ones),
-- 0027's copy of each conversation's last message, and 0026's count of each user's conversations.
SELECT conversations_refresh_participants(ARRAY(SELECT conversation_id FROM conversations));
SELECT conversations_refresh_last_message(ARRAY(SELECT conversation_id FROM conversations));
SELECT users_recount_conversations();
-- Migration 0019's message counter on each conversation (the messages page's count, and so
-- its next link), which the counters' trigger keeps and this role skips; only the stale ones.
UPDATE conversations c SET message_count = n.count
  FROM (SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id) n
 WHERE n.conversation_id = c.conversation_id AND c.message_count <> n.count;
SQL
    # What earlier runs posted, with triggers on (the replica role above would skip the
    # cascade to notifications and the counters), then VACUUM: a dozen runs had left the post
    # scenario at half its first rate, on dead rows and dangling notifications. INDEX_CLEANUP ON:
    # the deleted posts are under 2 % of messages' pages, below which VACUUM leaves the indexes
    # alone, and the list's probe for the post conversation's last message then stepped over all
    # their dead entries (361 buffers instead of 6) in the first round of the list (bench/README.md,
    # "One sync per pipeline, the session's touch, the ETag hash and the bench's own noise").
    "${PSQL_ADMIN[@]}" >/dev/null <<SQL
DELETE FROM messages WHERE conversation_id = '$(conversation_id $POST_CONVERSATION)'
   AND sender_id = (SELECT user_id FROM users WHERE lower(username) = '$BENCH_USER');
-- The posts spread over conversations that also hold generated messages: by their text.
DELETE FROM messages WHERE message_body = '$BENCH_POST_BODY'
   AND sender_id = (SELECT user_id FROM users WHERE lower(username) = '$BENCH_USER');
DELETE FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = n.message_id);
SQL
    "${PSQL_ADMIN[@]}" -q -c "VACUUM (ANALYZE, INDEX_CLEANUP ON) messages" -c "VACUUM (ANALYZE, INDEX_CLEANUP ON) notifications" \
        -c "VACUUM (ANALYZE) conversation_participants" -c "VACUUM (ANALYZE) conversations" >/dev/null
    APP_READY=1
}

# ---------------------------------------------------------------- checks

CHECK_FAILED=()
# check NAME URL EXPECTED-TYPE-PREFIX BODY-TEST [curl args]: BODY-TEST is a function name.
check() {
    local name=$1 url=$2 type=$3 test=$4
    shift 4
    local headers body status ctype
    headers=$(curl -k -s -D - -o "$OUT/check.body" "$@" "$url" | tr -d '\r') || true
    body=$(cat "$OUT/check.body")
    status=$(awk 'NR == 1 { print $2 }' <<<"$headers")
    ctype=$(awk -F': ' 'tolower($1) == "content-type" { print $2 }' <<<"$headers")
    local problem=
    [[ $status == 200 || $status == 201 ]] || problem="status $status"
    [[ -z $problem && $ctype != "$type"* ]] && problem="Content-Type '$ctype', want $type"
    [[ -z $problem ]] && ! grep -qi '^date: ' <<<"$headers" && problem="no Date header"
    [[ -z $problem ]] && ! grep -qi '^server: ' <<<"$headers" && problem="no Server header"
    [[ -z $problem ]] && ! grep -qi '^content-length: ' <<<"$headers" && problem="no Content-Length"
    [[ -z $problem ]] && ! $test "$body" && problem="unexpected body: ${body:0:300}"
    if [[ -n $problem ]]; then
        CHECK_FAILED+=("$name")
        note "check failed: $name ($url): $problem"
    fi
}
body_plaintext() { [[ $1 == 'Hello, World!' ]]; }
body_json() { [[ $1 == '{"message":"Hello, World!"}' ]]; }
# A World object, its two keys in either order (JSON objects are unordered).
WORLD_RE='\{("id":[0-9]+,"randomNumber":[0-9]+|"randomNumber":[0-9]+,"id":[0-9]+)\}'
body_world() { [[ $1 =~ ^${WORLD_RE}$ ]]; }
world_count() { grep -o '"randomNumber"' <<<"$1" | wc -l; }
body_worlds1() { [[ $1 =~ ^\[${WORLD_RE}\]$ ]]; }
body_worlds20() { [[ ${1:0:1} == '[' && $(world_count "$1") == 20 ]]; }
body_worlds500() { [[ $(world_count "$1") == 500 ]]; }
body_fortunes() {
    local ids
    ids=$(grep -o '<tr><td>[0-9]*</td>' <<<"$1" | tr -dc '0-9\n' | paste -sd, -)
    [[ $ids == 11,4,5,2,8,0,3,7,10,6,9,1,12 ]] &&
        [[ $1 == *'<td>&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;</td>'* ]] &&
        [[ $1 == *'フレームワークのベンチマーク'* ]] &&
        [[ $1 == '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>'* ]] &&
        [[ $1 == *'</table></body></html>' ]]
}
body_any_json() { [[ ${1:0:1} == '{' || ${1:0:1} == '[' ]]; }

check_techempower() {
    local who=$1 url=$2
    check "$who plaintext" "$url/plaintext" text/plain body_plaintext
    check "$who json" "$url/json" application/json body_json
    check "$who db" "$url/db" application/json body_world
    check "$who queries=20" "$url/queries?queries=20" application/json body_worlds20
    check "$who queries=0" "$url/queries?queries=0" application/json body_worlds1
    check "$who queries=foo" "$url/queries?queries=foo" application/json body_worlds1
    check "$who queries (none)" "$url/queries" application/json body_worlds1
    check "$who queries=501" "$url/queries?queries=501" application/json body_worlds500
    check "$who updates=20" "$url/updates?queries=20" application/json body_worlds20
    check "$who fortunes" "$url/fortunes" 'text/html; charset=utf-8' body_fortunes
}

check_updates_persist() {
    local who=$1 url=$2 before after
    before=$("${PSQL[@]}" -At -c "SELECT sum(randomnumber::bigint) FROM world")
    curl -k -s -o /dev/null "$url/updates?queries=50"
    after=$("${PSQL[@]}" -At -c "SELECT sum(randomnumber::bigint) FROM world")
    if [[ $before == "$after" ]]; then
        CHECK_FAILED+=("$who updates persist")
        note "check failed: $who /updates changed no row"
    fi
}

# ---------------------------------------------------------------- wrk

CLK_TCK=$(getconf CLK_TCK)
PG_POSTMASTER=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)
NGINX_PID=$(<"$DATA/run/nginx.pid")

# process_ticks PID: CPU time (clock ticks) of PID and its children, with what its exited
# children had (reaped workers, backends). Builtins only.
process_ticks() {
    local parent=$1 total=0 children=() pid stat fields
    { read -r -a children <"/proc/$parent/task/$parent/children"; } 2>/dev/null || true
    for pid in "$parent" "${children[@]}"; do
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue  # (gone since)
        read -r -a fields <<<"${stat##*) }"  # from the state on: utime is the 12th, cutime the 14th
        total=$((total + fields[11] + fields[12]))
        if [[ $pid == "$parent" ]]; then total=$((total + fields[13] + fields[14])); fi
    done
    echo "$total"
}

# cost_snapshot SERVER: "requests statements round_trips next_xid server_ticks pg_ticks nginx_ticks".
# For parley: requests and statements from its own counters (/status?openmetrics: every
# request parley answered, every statement its Postgres layer sent), and the next transaction
# id from PostgreSQL, which only a transaction that writes (or locks rows) takes. For the C
# reference (SERVER=C): its own CPU and its nginx's, beside PostgreSQL's, and zeros for the
# counters it does not have (report.awk divides its CPU by wrk's requests instead).
cost_snapshot() {
    local pg_ticks metrics xid
    pg_ticks=$([[ -n $PG_POSTMASTER ]] && process_ticks "$PG_POSTMASTER" || echo 0)
    if [[ $1 == C ]]; then
        echo "0 0 0 0 $(process_ticks "$(<"$REF_PIDFILE")") $pg_ticks $(process_ticks "$(<"$REF_NGINX_PIDFILE")")"
        return
    fi
    local parley_ticks nginx_ticks
    parley_ticks=$(process_ticks "$PARLEY_PID")
    nginx_ticks=$(process_ticks "$NGINX_PID")
    metrics=$(curl -k -s "$PARLEY_URL/status?openmetrics" || true)
    xid=$("${PSQL[@]}" -At -c "SELECT pg_snapshot_xmax(pg_current_snapshot())" || echo 0)
    awk -v xid="$xid" -v p="$parley_ticks" -v g="$pg_ticks" -v n="$nginx_ticks" '
        /^parley_requests_total/ { requests += $NF }
        /^parley_database_statements_total / { statements = $NF }
        /^parley_database_round_trips_total / { trips = $NF }
        END { printf "%d %d %d %d %d %d %d\n", requests, statements, trips, xid, p, g, n }' <<<"$metrics"
}

# run_wrk GROUP SCENARIO CONNS SERVER ROUND URL [wrk args]: one measured run, one line in results.tsv.
run_wrk() {
    local group=$1 scenario=$2 conns=$3 server=$4 round=$5 url=$6
    shift 6
    local out line sampler=
    echo 0 >"$OUT/rss.sample"
    if [[ $server == parley ]]; then
        # parley's resident set during the run, the master and its worker processes summed,
        # sampled every 0.2 s; the highest is kept. (Builtins only: no process per sample.)
        (
            peak=0
            exec 3<> <(:)
            while [[ -r /proc/$PARLEY_PID/status ]]; do
                total=0
                children=()
                read -r -a children <"/proc/$PARLEY_PID/task/$PARLEY_PID/children" || true  # no newline at its end
                for pid in "$PARLEY_PID" "${children[@]}"; do
                    while read -r key value _; do
                        if [[ $key == VmRSS: ]]; then total=$((total + value)); break; fi
                    done <"/proc/$pid/status" 2>/dev/null || true
                done
                if ((total > peak)); then peak=$total; echo "$peak" >"$OUT/rss.sample"; fi
                read -rt 0.2 -u 3 _ || true
            done
        ) &
        sampler=$!
    fi
    local before cost
    before=$(cost_snapshot "$server")
    out=$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 2s -s "$BENCH/wrk/report.lua" "$@" "$url" 2>&1) || true
    if [[ -n $sampler ]]; then
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
    fi
    # The run's cost: differences, CPU in milliseconds.
    cost=$(awk -v t="$CLK_TCK" '
        NR == 1 { for (i = 1; i <= NF; i++) a[i] = $i }
        NR == 2 { printf "%d %d %d %d %.0f %.0f %.0f", $1 - a[1], $2 - a[2], $3 - a[3], $4 - a[4],
                  ($5 - a[5]) * 1000 / t, ($6 - a[6]) * 1000 / t, ($7 - a[7]) * 1000 / t }' <<<"$before"$'\n'"$(cost_snapshot "$server")")
    printf '### %s %s c=%s %s round %s: %s\n%s\n' "$group" "$scenario" "$conns" "$server" "$round" "$url" "$out" >>"$WRK_LOG"
    line=$(grep '^BENCH ' <<<"$out" | tail -n 1)
    if [[ -z $line ]]; then
        note "wrk produced no summary for $group/$scenario c=$conns $server (see $WRK_LOG)"
        return 0
    fi
    local hwm=0
    if [[ $server == parley ]]; then hwm=$(<"$OUT/rss.sample"); fi
    # group scenario conns server round  requests duration_us p50 p99 connect read write status timeout hwm_kb
    #   served statements round_trips xids server_cpu_ms pg_cpu_ms nginx_cpu_ms (for C, CPU only)
    awk -v g="$group" -v s="$scenario" -v c="$conns" -v v="$server" -v r="$round" -v h="${hwm:-0}" -v cost="$cost" '
        { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        END { gsub(" ", "\t", cost)
              printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g, s, c, v, r,
              f["requests"], f["duration_us"], f["p50_us"], f["p99_us"], f["connect"], f["read"], f["write"],
              f["status"], f["timeout"], h, cost }' <<<"$line" >>"$RESULTS"
    printf '  %-10s %-22s c=%-4s %-6s %8.0f req/s\n' "$group" "$scenario" "$conns" "$server" \
        "$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } } END { print f["requests"] / (f["duration_us"] / 1e6) }' <<<"$line")" >&2
}

# app_references CONNS ROUND: parley's /db, /fortunes and /updates?queries=20 for the app rows'
# shares (report.awk pairs each app route with one of them, round by round).
app_references() {
    run_wrk appref db "$1" parley "$2" "$PARLEY_URL/db"
    run_wrk appref fortunes "$1" parley "$2" "$PARLEY_URL/fortunes"
    run_wrk appref updates "$1" parley "$2" "$PARLEY_URL/updates?queries=20"
}

warm() {
    local url=$1 conns=$2
    shift 2
    ((WARMUP > 0)) || return 0
    wrk -t"$THREADS" -c"$conns" -d"${WARMUP}s" --timeout 2s "$@" "$url" >/dev/null 2>&1 || true
}

te_path() {
    case $1 in
        queries) echo "/queries?queries=20" ;;
        updates) echo "/updates?queries=20" ;;
        *) echo "/$1" ;;
    esac
}

# ---------------------------------------------------------------- run

phase "checking every endpoint's answer"
check_techempower parley "$PARLEY_URL"
check_techempower C "$REF_URL"
check_updates_persist parley "$PARLEY_URL"
check_updates_persist C "$REF_URL"

# ---------------------------------------------------------------- profile mode (bench/profile.sh)

profile() {
    local test=$1 requests=$2 path=${3:-}
    [[ -n $path ]] || path=$(te_path "$test")
    local target=${BENCH_PROFILE_TARGET:-parley}
    local raw=$OUT/callgrind.out.$test report=$OUT/profile-$test.txt url=$PARLEY_URL
    phase "profiling $target, $test ($path): $requests requests under callgrind"
    local pid
    if [[ $target == reference ]]; then
        # The C reference, for comparison: its serve() (read, respond, finish).
        raw=$OUT/callgrind.out.reference.$test report=$OUT/profile-reference-$test.txt url=$REF_URL
        stop_pidfile "$REF_PIDFILE" reference "TERM:5"
        rm -f -- "$REF_SOCK"
        env REF_SOCKET="$REF_SOCK" REF_WORKERS=2 GLIBC_TUNABLES="${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}" "${group_args[@]}" setsid valgrind --tool=callgrind \
            --collect-atstart=no --toggle-collect=serve --callgrind-out-file="$raw" "$REF_DIR/reference" \
            </dev/null >>"$OUT/callgrind.log" 2>&1 &
        pid=$!
        echo "$pid" >"$REF_PIDFILE"
        wait_for_socket "$REF_SOCK" "$pid" 120 || die "the reference under valgrind did not start (see $OUT/callgrind.log)"
    else
        stop_pidfile "$DATA/run/parley.pid" parley "TERM:15"
        local args
        mapfile -t args < <(parley_serve_args "$DATA/run/parley.sock")
        # Only the worker threads' loop is counted (accept, read, respond, finish), not start-up.
        # The loop, not FastCGIServer.serve: the profile-guided build inlines serve into it.
        # shellcheck disable=SC2016  # a mangled Swift name, not an expansion
        # One worker process with two threads; valgrind follows the master's posix_spawn into it
        # (one output file per process: the worker's is the one with requests in it).
        rm -f -- "$raw".*
        PARLEY_PROCESSES=1 PARLEY_THREADS=2 GLIBC_TUNABLES="${GLIBC_TUNABLES:-$PARLEY_GLIBC_TUNABLES}" setsid valgrind --tool=callgrind --collect-atstart=no \
            --trace-children=yes --toggle-collect='$s7FastCGI0A9CGIServerC10workerLoop*' --callgrind-out-file="$raw.%p" "$PARLEY_BIN" "${args[@]}" \
            </dev/null >>"$OUT/callgrind.log" 2>&1 &
        pid=$!
        echo "$pid" >"$DATA/run/parley.pid"
        wait_for_socket "$DATA/run/parley.sock" "$pid" 120 || die "parley under valgrind did not start (see $OUT/callgrind.log)"
    fi
    local auth=()
    if [[ $path == /api/* ]]; then
        prepare_app || die "$APP_WHY"
        auth=(-H "Authorization: Bearer $(bench_token)")
    elif [[ $path == /conversations* || $path == /inbox* || $path == /notifications* || $path == /account* ]]; then
        prepare_app || die "$APP_WHY"
        auth=(-H "Cookie: $(bench_session_cookie)")
    fi
    # Exactly REQUESTS requests over one kept-alive connection (the first opens a worker's
    # database connection; it is counted too).
    local i
    for ((i = 0; i < requests; i++)); do echo "url = \"$url$path\""; echo 'output = "/dev/null"'; done >"$OUT/curl-profile.cfg"
    local started=$SECONDS
    curl -k -s "${auth[@]}" -K "$OUT/curl-profile.cfg"
    log "$requests requests in $((SECONDS - started))s under callgrind"
    stop_pid "$pid" "$target (callgrind)" "TERM:60"
    if [[ $target != reference ]]; then
        # The worker's file is the largest (the master's collected nothing).
        local largest
        largest=$(ls -S -- "$raw".* 2>/dev/null | head -n 1)
        [[ -n $largest ]] && mv -f -- "$largest" "$raw" && rm -f -- "$raw".*
    fi
    {
        echo "# callgrind: $requests × GET $path ($target, release build); Ir per request: $(callgrind_annotate "$raw" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / '"$requests"' }')"
        callgrind_annotate --inclusive=no "$raw" | sed -n '1,70p'
        echo
        echo "# inclusive"
        callgrind_annotate --inclusive=yes "$raw" | sed -n '1,90p'
    } >"$report" 2>&1
    log "wrote $report"
}

if [[ -n ${BENCH_HOLD:-} ]]; then
    # For experiments by hand: keep both stacks up for BENCH_HOLD seconds (URLs in bench/out/urls.env).
    printf 'PARLEY_URL=%s\nREF_URL=%s\nPARLEY_PID=%s\nREF_PID=%s\n' "$PARLEY_URL" "$REF_URL" "$PARLEY_PID" "$(<"$REF_PIDFILE")" >"$OUT/urls.env"
    # With the app scenarios asked for, their data set and credentials too (urls.env: the
    # bench user's access token and session cookie, and the conversations the scenarios use).
    if [[ " $ONLY " == *" app "* ]]; then
        if prepare_app; then
            printf 'TOKEN=%s\nSESSION_COOKIE=%s\nREAD_CID=%s\nPOST_CID=%s\n' "$TOKEN" "$(bench_session_cookie)" \
                "$(conversation_id $READ_CONVERSATION)" "$(conversation_id $POST_CONVERSATION)" >>"$OUT/urls.env"
        else
            note "the app data set is not loaded: $APP_WHY"
        fi
    fi
    log "holding the stacks for ${BENCH_HOLD}s: $PARLEY_URL (parley), $REF_URL (C); see $OUT/urls.env"
    sleep "$BENCH_HOLD" &
    wait $! || true  # (a signal ends the wait at once, and the EXIT trap stops everything)
    exit 0
fi

if [[ -n ${BENCH_PROFILE:-} ]]; then
    profile "$BENCH_PROFILE" "${BENCH_PROFILE_REQUESTS:-20000}" "${BENCH_PROFILE_PATH:-}"
    exit 0
fi

if [[ " $ONLY " == *" te "* ]]; then
    phase "TechEmpower types: $TE_TESTS (parley and C interleaved, ${ROUNDS} rounds of ${DURATION}s)"
    for test in $TE_TESTS; do
        path=$(te_path "$test")
        for conns in $CONNECTIONS; do
            warm "$PARLEY_URL$path" "$conns"
            warm "$REF_URL$path" "$conns"
            # The order alternates (parley first in odd rounds, C first in even ones) so that a
            # machine getting busier or quieter through a pair does not favour one side.
            for ((round = 1; round <= ROUNDS; round++)); do
                if ((round % 2)); then
                    run_wrk te "$test" "$conns" parley "$round" "$PARLEY_URL$path"
                    run_wrk te "$test" "$conns" C "$round" "$REF_URL$path"
                else
                    run_wrk te "$test" "$conns" C "$round" "$REF_URL$path"
                    run_wrk te "$test" "$conns" parley "$round" "$PARLEY_URL$path"
                fi
            done
        done
    done
fi

# After the TechEmpower runs: the log-ins hash a password (argon2id, 64 MiB by default), which
# would show in the RSS of every row after it.
if [[ " $ONLY " == *" app "* || " $ONLY " == *" growth "* ]]; then
    prepare_app || note "Parley's own hot paths skipped: $APP_WHY. The data loader (bench/messaging/) and these scenarios run as soon as the endpoints are on main."
fi

if ((APP_READY)) && [[ " $ONLY " == *" app "* ]]; then
    phase "Parley's hot paths (JWT)"
    read_cid=$(conversation_id $READ_CONVERSATION)
    post_cid=$(conversation_id $POST_CONVERSATION)
    spread_cids=()
    for ((k = SPREAD_FIRST; k <= BENCH_USER_CONVERSATIONS; k++)); do spread_cids+=("$(conversation_id $k)"); done
    printf '/api/conversations/%s/messages/\n' "${spread_cids[@]}" >"$OUT/post-paths.txt"
    check "parley conversation list" "$PARLEY_URL/api/conversations/" application/json body_any_json -H "Authorization: Bearer $TOKEN"
    check "parley messages page" "$PARLEY_URL/api/conversations/$read_cid/messages/" application/json body_any_json -H "Authorization: Bearer $TOKEN"
    check "parley post message" "$PARLEY_URL/api/conversations/$post_cid/messages/" application/json body_any_json \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary '{"message_body":"bench check"}'
    SESSION_COOKIE=$(bench_session_cookie) || SESSION_COOKIE=
    if [[ -n $SESSION_COOKIE ]]; then
        check "parley conversation page" "$PARLEY_URL/conversations/$read_cid" 'text/html; charset=utf-8' body_conversation_page \
            -H "Cookie: $SESSION_COOKIE"
    else
        note "the conversation page (session cookie) skipped: logging in through the form gave no session cookie"
    fi
    for conns in $CONNECTIONS; do
        TOKEN=$(bench_token)
        auth=(-H "Authorization: Bearer $TOKEN")
        warm "$PARLEY_URL/api/conversations/" "$conns" "${auth[@]}"
        for ((round = 1; round <= APP_ROUNDS; round++)); do
            # Each app route's target is a share of the TechEmpower type it resembles, measured
            # on parley in the same round (before the routes in odd rounds, after them in even
            # ones), so that the share compares runs minutes apart no more than the TE pairs do.
            ((round % 2 == 1)) && app_references "$conns" "$round"
            run_wrk app "conversation list" "$conns" parley "$round" "$PARLEY_URL/api/conversations/" "${auth[@]}"
            run_wrk app "messages page" "$conns" parley "$round" "$PARLEY_URL/api/conversations/$read_cid/messages/" "${auth[@]}"
            [[ -n $SESSION_COOKIE ]] &&
                run_wrk app "conversation page (session)" "$conns" parley "$round" "$PARLEY_URL/conversations/$read_cid" -H "Cookie: $SESSION_COOKIE"
            BENCH_METHOD=POST BENCH_BODY="{\"message_body\":\"$BENCH_POST_BODY\"}" \
                run_wrk app "post message" "$conns" parley "$round" "$PARLEY_URL/api/conversations/$post_cid/messages/" "${auth[@]}"
            settle_posts "$post_cid"
            BENCH_METHOD=POST BENCH_BODY="{\"message_body\":\"$BENCH_POST_BODY\"}" BENCH_PATHS="$OUT/post-paths.txt" \
                run_wrk app "post message, $SPREAD_COUNT conversations" "$conns" parley "$round" "$PARLEY_URL/" "${auth[@]}"
            # Thousands of posts in four seconds leave as many dead versions in the rows the list
            # reads next (the bench user's participant row of the post conversation, its index
            # entries, the conversation's row): vacuumed here, as autovacuum would soon after, so
            # that the row order does not charge the next round's reads for them (bench/README.md,
            # "Issue 12 on 2026-12-06").
            settle_posts "${spread_cids[@]}"
            # (INDEX_CLEANUP ON: see the reset above.)
            "${PSQL_ADMIN[@]}" -q -c "VACUUM (INDEX_CLEANUP ON) conversation_participants, conversations" >/dev/null
            ((round % 2 == 0)) && app_references "$conns" "$round"
        done
    done
fi

if ((APP_READY)) && [[ " $ONLY " == *" growth "* ]]; then
    phase "growth: a page of messages at 10, 10,000 and 1,000,000 messages"
    for page in first middle last; do
        for conns in $CONNECTIONS; do
            TOKEN=$(bench_token)
            auth=(-H "Authorization: Bearer $TOKEN")
            urls=()
            for k in 1 2 3; do
                case $k in 1) n=$DS_SMALL ;; 2) n=$DS_MEDIUM ;; 3) n=$DS_LARGE ;; esac
                base="$PARLEY_URL/api/conversations/$(conversation_id "$k")/messages/"
                case $page in
                    first) urls+=("$base") ;;                                            # page 1 (the default)
                    middle) urls+=("$base?after=$(message_id "$k" $((n / 2)))") ;;       # keyset, from the middle
                    last) urls+=("$base?after=$(message_id "$k" $((n > 21 ? n - 21 : 1)))") ;;  # keyset, the last 20
                esac
            done
            [[ $conns == "${CONNECTIONS%% *}" ]] &&
                for i in 0 1 2; do check "parley growth $page ${i}" "${urls[$i]}" application/json body_any_json "${auth[@]}"; done
            for i in 0 1 2; do warm "${urls[$i]}" "$conns" "${auth[@]}"; done
            for ((round = 1; round <= APP_ROUNDS; round++)); do
                run_wrk growth "$page 10" "$conns" parley "$round" "${urls[0]}" "${auth[@]}"
                run_wrk growth "$page 10000" "$conns" parley "$round" "${urls[1]}" "${auth[@]}"
                run_wrk growth "$page 1000000" "$conns" parley "$round" "${urls[2]}" "${auth[@]}"
            done
        done
    done
fi

# ---------------------------------------------------------------- report

phase "report"
{
    printf '# make bench — %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'Through nginx (HTTPS, the same nginx.conf for both), wrk -t%s, %ss per run, %s rounds of parley and C back to back, alternating which goes first (JWT and growth rows: %s);\n' "$THREADS" "$DURATION" "$ROUNDS" "$APP_ROUNDS"
    printf 'req/s: the median run; ratio: the median of the per-round parley/C ratios.\n' 
    printf 'parley %s worker processes × %s threads vs the C reference (libfcgi + libpq, same design, %s threads), both under the %s CPU scheduling policy. Load average at the end: %s.\n' \
        "${PARLEY_PROCESSES:-$(nproc)}" "${PARLEY_THREADS:-2}" "$WORKERS" "${PARLEY_CPU_SCHEDULING_POLICY:-batch}" "$(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ ${PARLEY_PGO:-} == generate ]]; then pgo="an instrumented build (PARLEY_PGO=generate)"; else pgo="profile-guided (pgo/parley.profdata, decision 0021; $(profile_age))"; fi
    printf 'parley build: release, %s; the C reference: cc -O2.\n' "$pgo"
    printf 'parley log level: %s (TechEmpower runs without disk logging; BENCH_LOG_LEVEL=info turns the access log on).\n' "$LOG_LEVEL"
    printf 'Latency in ms. Errors: socket errors (connect/read/write) / timeouts. non-2xx: responses with status ≥ 400 (wrk counts those).\n\n'
    awk -F'\t' -f "$BENCH/report.awk" -v checks_failed="${CHECK_FAILED[*]:-}" "$RESULTS"
    printf 'parley VmHWM, the master and its current worker processes summed (includes the log-ins'"'"' argon2id hashing, 64 MiB each by default): %s MiB\n' \
        "$(for pid in "$PARLEY_PID" $(cat "/proc/$PARLEY_PID/task/$PARLEY_PID/children" 2>/dev/null); do cat "/proc/$pid/status" 2>/dev/null; done |
            awk '/^VmHWM:/ { total += $2 } END { printf "%.1f", total / 1024 }')"
    if [[ -s $NOTES ]]; then
        printf '\nNotes:\n'
        sed 's/^/- /' "$NOTES"
    fi
    printf '\nmin ratio vs C reference: %s\n' "$(awk -F'\t' -f "$BENCH/report.awk" -v only=minratio "$RESULTS")"
} >"$OUT/latest.md"
cat "$OUT/latest.md"
phase "done ($OUT/latest.md; raw: $RESULTS, $WRK_LOG)"
