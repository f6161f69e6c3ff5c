#!/usr/bin/env bash
# Bulk data bench (issue 15): import, export and statistics at scale, on a stack of its own.
#
#  1. builds parley in release mode and starts PostgreSQL + parley + nginx with scripts/stack.sh
#     (PARLEY_DATA_DIR=bench/out/bulk/stack, free loopback ports, stopped on exit);
#  2. import: `parley import-users` of BULK_ROWS (1,000,000) generated rows without passwords,
#     and of BULK_PASSWORD_ROWS (500) with passwords at sign-up's argon2id cost; wall time,
#     rows/s and peak RSS (GNU time), beside the peak RSS of a 10-row import (the baseline);
#  3. export: BULK_MESSAGES (1,000,000) messages of one user, `GET /api/users/me/export/`
#     through nginx with curl: first-byte time, total time, bytes, lines; the serving worker's
#     RSS before and its peak after (/proc VmRSS, VmHWM); `parley export` to a file beside it;
#  4. statistics: loads bench/run.sh's messaging data set (≈2 M messages, 2025) next to the
#     export's 1 M recent ones, then runs `parley stats` with auto_explain: each query's server
#     time and the indexes its plan uses;
#  5. prints a Markdown report (also bench/out/bulk/latest.md).
#
# Knobs: BULK_ROWS, BULK_PASSWORD_ROWS, BULK_MESSAGES, BULK_OUT (bench/out/bulk),
# BULK_SKIP_BUILD=1 (use .build/release/parley as it is), BULK_SKIP_DATASET=1 (statistics on the
# export's messages only: a quick check of the script).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

BENCH=$PARLEY_ROOT/bench
OUT=${BULK_OUT:-$BENCH/out/bulk}
ROWS=${BULK_ROWS:-1000000}
PASSWORD_ROWS=${BULK_PASSWORD_ROWS:-500}
MESSAGES=${BULK_MESSAGES:-1000000}
SECONDS=0
phase() { log "[$(printf '%4ds' "$SECONDS")] $*"; }
mkdir -p "$OUT"
REPORT=$OUT/latest.md
: >"$REPORT"
report() { printf '%s\n' "$*" >>"$REPORT"; }

# ---------------------------------------------------------------- build and stack
if [[ ${BULK_SKIP_BUILD:-0} != 1 ]]; then
    phase "building parley (release)"
    ensure_packages "${PARLEY_DEPS[@]}"
    swift build -c release --product parley >&2
fi
PARLEY_BIN=$(swift build -c release --show-bin-path)/parley
[[ -x $PARLEY_BIN ]] || die "no parley at $PARLEY_BIN"

mapfile -t PORTS < <(free_ports 3)
export PARLEY_DATA_DIR=$OUT/stack PARLEY_BIN
export PARLEY_HTTP_PORT=${PORTS[0]} PARLEY_HTTPS_PORT=${PORTS[1]} PARLEY_PG_PORT=${PORTS[2]}
# One export may take longer than the default 30 s deadline on a busy machine.
export PARLEY_REQUEST_TIMEOUT=${BULK_REQUEST_TIMEOUT:-300} PARLEY_LOG_LEVEL=warning
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { scripts/stack.sh down >&2 || true; }
trap cleanup EXIT
phase "starting a fresh stack (scripts/stack.sh up, $PARLEY_DATA_DIR)"
# Every run starts empty: the figures are for these rows alone.
scripts/stack.sh down >&2 || true
rm -rf -- "$PARLEY_DATA_DIR"
scripts/stack.sh up >&2
set -a
# shellcheck source=/dev/null
. "$PARLEY_DATA_DIR/parley.env"
set +a
PSQL=("$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1)
PSQL_ADMIN=("${PSQL[@]}" -U postgres -d parley)
URL=${PARLEY_URL%/}
PG_LOG=$PARLEY_DATA_DIR/pg/postgres.log
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

report "# Bulk data bench ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
report ""

# ---------------------------------------------------------------- import
phase "import: generating $ROWS rows"
awk -v n="$ROWS" 'BEGIN { print "username,email,first_name,last_name,role"
    for (i = 1; i <= n; i++) printf "bulk%d,bulk%d@example.com,First %d,Last,guest\n", i, i, i }' >"$OUT/users.csv"
awk -v n=10 'BEGIN { print "username,email,first_name,last_name"
    for (i = 1; i <= n; i++) printf "tiny%d,tiny%d@example.com,Tiny,Row\n", i, i }' >"$OUT/tiny.csv"
awk -v n="$PASSWORD_ROWS" 'BEGIN { print "username,email,first_name,last_name,password"
    for (i = 1; i <= n; i++) printf "pw%d,pw%d@example.com,Pat,Word,a long passphrase number %d\n", i, i, i }' >"$OUT/passwords.csv"

# import_run FILE: "seconds peak_rss_kib"
import_run() {
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$PARLEY_BIN" import-users "$1" --quiet >&2
    cat "$OUT/time.txt"
}
phase "import: baseline (10 rows)"
read -r tiny_s tiny_kib < <(import_run "$OUT/tiny.csv")
phase "import: $ROWS rows without passwords"
read -r big_s big_kib < <(import_run "$OUT/users.csv")
phase "import: $PASSWORD_ROWS rows with passwords (argon2id as sign-up: PARLEY_PASSWORD_HASH_*)"
read -r pw_s pw_kib < <(import_run "$OUT/passwords.csv")
"${PSQL_ADMIN[@]}" -c "VACUUM ANALYZE users" >/dev/null

report "## import-users"
report ""
report "| file | rows | time | rows/s | peak RSS | growth over a 10-row import |"
report "| --- | ---: | ---: | ---: | ---: | ---: |"
report "| 10 rows (baseline) | 10 | ${tiny_s} s | | $(mb "$tiny_kib") MiB | |"
report "| no passwords | $ROWS | ${big_s} s | $(awk -v r="$ROWS" -v s="$big_s" 'BEGIN { printf "%d", r / s }') | $(mb "$big_kib") MiB | $(mb $((big_kib - tiny_kib))) MiB |"
report "| with passwords | $PASSWORD_ROWS | ${pw_s} s | $(awk -v r="$PASSWORD_ROWS" -v s="$pw_s" 'BEGIN { printf "%d", r / s }') | $(mb "$pw_kib") MiB | $(mb $((pw_kib - tiny_kib))) MiB |"
report ""

# ---------------------------------------------------------------- export
phase "export: registering the exporter and inserting $MESSAGES messages"
EXPORTER=bulkexporter
EXPORTER_PASSWORD="correct horse battery staple 9"
curl -k -s -o /dev/null -H 'Content-Type: application/json' --data-binary \
    "{\"username\":\"$EXPORTER\",\"email\":\"$EXPORTER@example.com\",\"password\":\"$EXPORTER_PASSWORD\",\"first_name\":\"Ex\",\"last_name\":\"Porter\"}" \
    "$URL/api/register/"
TOKEN=$(curl -k -s -H 'Content-Type: application/json' --data-binary \
    "{\"username\":\"$EXPORTER\",\"password\":\"$EXPORTER_PASSWORD\"}" "$URL/api/token/" |
    sed -n 's/.*"access"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "could not log the exporter in"
"${PSQL[@]}" -v user="$EXPORTER" -v n="$MESSAGES" <<'SQL'
WITH u AS (SELECT user_id FROM users WHERE username = :'user'),
     c AS (INSERT INTO conversations (title, created_by) SELECT 'bulk export', user_id FROM u RETURNING conversation_id),
     p AS (INSERT INTO conversation_participants (conversation_id, user_id) SELECT c.conversation_id, u.user_id FROM c, u)
INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
SELECT c.conversation_id, u.user_id, 'Message ' || i || ': the quick brown fox jumps over the lazy dog.', now() - make_interval(secs => i)
FROM c, u, generate_series(1, :n) AS i;
VACUUM ANALYZE messages;
SQL

# The workers' pids (children of the master) and their RSS now.
MASTER=$(cat "$PARLEY_DATA_DIR/run/parley.pid")
mapfile -t WORKERS < <(pgrep -P "$MASTER")
declare -A RSS_BEFORE
for pid in "${WORKERS[@]}"; do
    RSS_BEFORE[$pid]=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    # Resets the peak (VmHWM) to the current RSS: the exporter's log-in hashed a password
    # (argon2id, 64 MiB) in one of these workers a moment ago.
    echo 5 >"/proc/$pid/clear_refs"
done
phase "export: GET /api/users/me/export/ through nginx"
curl -k -s --http1.1 -o "$OUT/export.ndjson" -H "Authorization: Bearer $TOKEN" \
    -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n' "$URL/api/users/me/export/" >"$OUT/curl.txt"
read -r status first total bytes <"$OUT/curl.txt"
lines=$(wc -l <"$OUT/export.ndjson")
growth=0
for pid in "${WORKERS[@]}"; do
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
    g=$((hwm - ${RSS_BEFORE[$pid]}))
    ((g > growth)) && growth=$g
done
phase "export: parley export --output (the command)"
/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$PARLEY_BIN" export --user "$EXPORTER" --output "$OUT/export-cli.ndjson" --quiet >&2
read -r cli_s cli_kib <"$OUT/time.txt"
"$PARLEY_BIN" export --user tiny1 --output /dev/null --quiet
/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$PARLEY_BIN" export --user tiny1 --output /dev/null --quiet >&2
read -r _ cli_tiny_kib <"$OUT/time.txt"

report "## export of $MESSAGES messages"
report ""
report "| path | status | first byte | total | size | lines | memory |"
report "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
report "| API through nginx | $status | ${first} s | ${total} s | $(mb $((bytes / 1024))) MiB | $lines | worker peak RSS growth $(mb "$growth") MiB |"
report "| parley export | | | ${cli_s} s | $(mb $(($(stat -c %s "$OUT/export-cli.ndjson") / 1024))) MiB | $(wc -l <"$OUT/export-cli.ndjson") | peak RSS $(mb "$cli_kib") MiB (an empty user's: $(mb "$cli_tiny_kib") MiB) |"
report ""
rm -f "$OUT/export.ndjson" "$OUT/export-cli.ndjson"

# ---------------------------------------------------------------- statistics
phase "statistics: loading bench/run.sh's messaging data set (≈2 M messages) beside the export's"
# The same generator and COPY as bench/run.sh's load_messaging, with its ids offset by the
# table being non-empty: the generator's ids are its own, so the tables take them as they are.
[[ ${BULK_SKIP_DATASET:-0} == 1 ]] || for spec in "users:users:user_id, username, email, first_name, last_name, password_hash, role" \
    "conversations:conversations:conversation_id, title, created_by, created_at, last_message_at" \
    "participants:conversation_participants:conversation_id, user_id, joined_at, last_read_at" \
    "messages:messages:message_id, conversation_id, sender_id, message_body, sent_at"; do
    name=${spec%%:*} rest=${spec#*:}
    table=${rest%%:*} columns=${rest#*:}
    awk -v table="$name" -v users=1000 -v conversations=10000 -v per=100 -v small=10 -v medium=10000 -v large=1000000 \
        -f "$BENCH/messaging/generate.awk" |
        "${PSQL_ADMIN[@]}" -c "SET session_replication_role = replica" -c "\\copy $table ($columns) FROM STDIN"
done
# COPY with triggers off left the loaded conversations' counters at 0: count them once, as
# migration 0009 does; and the participant rows' copy of their conversation's last activity
# (migration 0017) unset, each conversation's participants (migration 0018) and last message
# (0027) empty, and each user's count of conversations (0026) at 0.
# (One grouped pass: a count per conversation row took minutes on fresh, unvacuumed pages.)
"${PSQL_ADMIN[@]}" -c "UPDATE conversations c SET message_count = n.count FROM (SELECT conversation_id, count(*) FROM messages GROUP BY 1) n WHERE n.conversation_id = c.conversation_id" \
    -c "UPDATE conversation_participants p SET conversation_last_message_at = c.last_message_at FROM conversations c WHERE c.conversation_id = p.conversation_id AND p.conversation_last_message_at IS DISTINCT FROM c.last_message_at" \
    -c "SELECT conversations_refresh_participants(ARRAY(SELECT conversation_id FROM conversations))" \
    -c "SELECT conversations_refresh_last_message(ARRAY(SELECT conversation_id FROM conversations))" \
    -c "SELECT users_recount_conversations()" \
    -c "VACUUM ANALYZE users, conversations, conversation_participants, messages" >/dev/null
total_messages=$("${PSQL[@]}" -At -c "SELECT count(*) FROM messages")

phase "statistics: parley stats with auto_explain"
log_start=$(stat -c %s "$PG_LOG")
ADMIN_URL="postgresql://postgres@/parley?host=$(uri_encode "$PGHOST")&port=$PGPORT"
# Twice: the first run warms the cache; the second is the one reported.
for run in 1 2; do
    [[ $run == 2 ]] && log_start=$(stat -c %s "$PG_LOG")
    DATABASE_URL=$ADMIN_URL PGOPTIONS="-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_timing=off" \
        /usr/bin/time -f '%e' -o "$OUT/time.txt" "$PARLEY_BIN" stats >"$OUT/stats.txt"
done
stats_s=$(cat "$OUT/time.txt")
tail -c +"$((log_start + 1))" "$PG_LOG" >"$OUT/stats-plans.log"
report "## statistics on $total_messages messages (bench/run.sh's data set, in 2025, and the export's $MESSAGES of the last days)"
report ""
report "\`parley stats\` took ${stats_s} s in all (second run). Server time of each query (auto_explain, log_analyze without timing) and what its plan reads:"
report ""
report "| figure | time | plan reads |"
report "| --- | ---: | --- |"
awk '
    # auto_explain entries: "duration: N ms  plan:", then the query text and the plan.
    /duration: [0-9.]+ ms  plan:/ {
        emit()
        match($0, /duration: [0-9.]+ ms/); d = substr($0, RSTART + 10, RLENGTH - 13); text = ""; next
    }
    d != "" { text = text "\n" $0 }
    function emit(    f, reads, rest, s) {
        if (d == "") return
        if (text ~ /count\(\*\) FROM users/) f = "users, conversations, messages (totals)"
        else if (text ~ /generate_series/) f = "messages per day, last 30 days"
        else if (text ~ /percentile_cont/) f = "average and p95 per conversation"
        else if (text ~ /extract\(hour/) f = "most active hours, last 30 days"
        reads = ""; rest = text
        while (match(rest, /(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)( Backward)? (using|on) [a-z_0-9]+/)) {
            s = substr(rest, RSTART, RLENGTH); sub(/ using | on /, " ", s)
            if (index(reads, s) == 0) reads = reads (reads == "" ? "" : ", ") s
            rest = substr(rest, RSTART + RLENGTH)
        }
        if (f != "") printf "| %s | %s ms | %s |\n", f, d, reads
        d = ""
    }
    END { emit() }
' "$OUT/stats-plans.log" >>"$REPORT"
report ""
report '```'
sed -n '1,12p' "$OUT/stats.txt" >>"$REPORT"
report '```'

phase "done"
cat "$REPORT"
