#!/usr/bin/env bash
# Postgres layer vs. libpq in C: the same one-row prepared select, N times, same connection
# string, run alternately ROUNDS times (C with text format, C with binary format as the layer
# uses, the layer through PostgresConnection and through PostgresDatabase.read); medians of wall
# time and of client CPU time. Then peak RSS of a 200,000-row stream vs a 2,000-row one (and, for
# contrast, of the same rows read whole with query()).
#
#   DATABASE_URL=postgresql:///parley?host=/tmp/pg&port=5432 bench/pq/run.sh [N] [ROUNDS]
#
# Needs a database where it may create and fill the table `world` (10,000 rows).
set -euo pipefail
cd "$(dirname "$0")/../.."

URL="${DATABASE_URL:-${PARLEY_TEST_DATABASE_URL:-}}"
if [ -z "$URL" ]; then
    echo "set DATABASE_URL (or PARLEY_TEST_DATABASE_URL) to a libpq connection string" >&2
    exit 2
fi
N="${1:-50000}"
ROUNDS="${2:-5}"
OUT=bench/out/pq
SCRATCH="${PQ_BENCH_SCRATCH:-.build-pqbench}"
mkdir -p "$OUT"

echo "building (release)…" >&2
cc -O2 -o "$OUT/pq_select" bench/pq/pq_select.c $(pkg-config --cflags --libs libpq)
swift build -c release --scratch-path "$SCRATCH" --product PostgresBench >&2
SWIFT_BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/PostgresBench"

"$SWIFT_BIN" setup "$URL"
# Warm the server's cache and the connection path once, untimed.
"$OUT/pq_select" "$URL" 2000 >/dev/null
"$SWIFT_BIN" select "$URL" 2000 >/dev/null

: > "$OUT/select.txt"
run_kind() {
    case $1 in
        0) "$OUT/pq_select" "$URL" "$N" ;;
        1) "$OUT/pq_select" "$URL" "$N" binary ;;
        2) "$SWIFT_BIN" select "$URL" "$N" ;;
        3) "$SWIFT_BIN" select-db "$URL" "$N" ;;
    esac
}
for round in $(seq 1 "$ROUNDS"); do
    # Rotate the order each round, so no program always runs first or right after another.
    for i in 0 1 2 3; do
        run_kind $(( (i + round) % 4 )) | tee -a "$OUT/select.txt"
    done
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fastest() { sort -n | head -1; }
C=$(awk '$1 == "c" { print $3 }' "$OUT/select.txt" | median)
S=$(awk '$1 == "swift" { print $3 }' "$OUT/select.txt" | median)
D=$(awk '$1 == "swift-db" { print $3 }' "$OUT/select.txt" | median)
B=$(awk '$1 == "c-binary" { print $3 }' "$OUT/select.txt" | median)
BC=$(awk '$1 == "c-binary" { print $6 }' "$OUT/select.txt" | median)
CC=$(awk '$1 == "c" { print $6 }' "$OUT/select.txt" | median)
SC=$(awk '$1 == "swift" { print $6 }' "$OUT/select.txt" | median)
DC=$(awk '$1 == "swift-db" { print $6 }' "$OUT/select.txt" | median)
SUMS=$(awk '{ print $5 }' "$OUT/select.txt" | sort -u | wc -l)

echo
echo "one-row prepared select, N=$N, median of $ROUNDS alternating runs"
awk -v c="$C" -v s="$S" -v d="$D" -v b="$B" -v cc="$CC" -v sc="$SC" -v dc="$DC" -v bc="$BC" -v n="$N" 'BEGIN {
    printf "                             wall time                          client CPU (user+sys)\n"
    printf "  C on libpq                 %7.3f s %6.1f us/q               %6.3f s %5.2f us/q\n", c, c / n * 1e6, cc, cc / n * 1e6
    printf "  C on libpq, binary format  %7.3f s %6.1f us/q  ratio %.3f   %6.3f s %5.2f us/q  ratio %.2f\n", b, b / n * 1e6, b / c, bc, bc / n * 1e6, bc / cc
    printf "  PostgresConnection.query   %7.3f s %6.1f us/q  ratio %.3f   %6.3f s %5.2f us/q  ratio %.2f\n", s, s / n * 1e6, s / c, sc, sc / n * 1e6, sc / cc
    printf "  PostgresDatabase.read      %7.3f s %6.1f us/q  ratio %.3f   %6.3f s %5.2f us/q  ratio %.2f\n", d, d / n * 1e6, d / c, dc, dc / n * 1e6, dc / cc
}'
# Each round runs C and the layer back to back, so their ratio within a round is the least
# affected by load that comes and goes on a shared machine.
# The layer's own cost, separated from server time and scheduling: the extra client CPU it
# spends per query, as a share of the C loop's wall time per query.
awk -v c="$C" -v cc="$CC" -v sc="$SC" -v dc="$DC" 'BEGIN {
    printf "layer overhead from client CPU: PostgresConnection.query %+.1f%%, PostgresDatabase.read %+.1f%% of the C loop\x27s time\n", (sc - cc) / c * 100, (dc - cc) / c * 100
}'
echo "per-round ratio to the C loop (median over rounds):"
for label in c-binary swift swift-db; do
    awk -v l="$label" '$1 == "c" { c[++i] = $3 } $1 == l { r[++j] = $3 } END { for (k = 1; k <= j; k++) print r[k] / c[k] }' "$OUT/select.txt" \
        | median | awk -v l="$label" '{ printf "  %-9s %.3f\n", l, $1 }'
done
echo "fastest run (least disturbed by other load on the machine):"
for label in c c-binary swift swift-db; do
    awk -v l="$label" '$1 == l { print $3 }' "$OUT/select.txt" | fastest | awk -v l="$label" -v c="$(awk '$1 == "c" { print $3 }' "$OUT/select.txt" | fastest)" -v n="$N" \
        '{ printf "  %-9s %7.3f s %6.1f us/q  ratio to C %.3f\n", l, $1, $1 / n * 1e6, $1 / c }'
done
[ "$SUMS" = 1 ] || echo "  WARNING: the runs disagree on the checksum" >&2

if command -v valgrind >/dev/null && [ "${PQ_BENCH_INSTRUCTIONS:-1}" = 1 ]; then
    # Instructions the client executes per query: exact, whatever else the machine is doing.
    # The difference between a 1,000- and a 3,000-query run leaves out start-up.
    instructions() {
        local file="$OUT/callgrind.$1.out"
        valgrind --tool=callgrind --callgrind-out-file="$file" "${@:2}" >/dev/null 2>&1
        awk '/^totals:/ { print $2 }' "$file"
    }
    echo
    echo "client instructions per query (callgrind, load-independent):"
    for kind in c c-binary swift; do
        case $kind in
            c) small=$(instructions c.1000 "$OUT/pq_select" "$URL" 1000); large=$(instructions c.3000 "$OUT/pq_select" "$URL" 3000) ;;
            c-binary) small=$(instructions cb.1000 "$OUT/pq_select" "$URL" 1000 binary); large=$(instructions cb.3000 "$OUT/pq_select" "$URL" 3000 binary) ;;
            swift) small=$(instructions swift.1000 "$SWIFT_BIN" select "$URL" 1000); large=$(instructions swift.3000 "$SWIFT_BIN" select "$URL" 3000) ;;
        esac
        echo "$kind $(( (large - small) / 2000 ))"
    done | awk '{ n[$1] = $2 } END {
        printf "  C on libpq                 %6d\n", n["c"]
        printf "  C on libpq, binary format  %6d  (%+d)\n", n["c-binary"], n["c-binary"] - n["c"]
        printf "  PostgresConnection.query   %6d  (%+d)\n", n["swift"], n["swift"] - n["c"] }'
fi

echo
echo "peak RSS (VmHWM) reading rows of 128 bytes of text"
for mode in stream buffered; do
    for rows in 2000 200000; do
        "$SWIFT_BIN" "$mode" "$URL" "$rows" | awk -v m="$mode" '{
            printf "  %-10s %7d rows  %6.3f s  VmHWM %7d KiB\n", (m == "stream" ? "forEachRow" : "query()"), $2, $3, $4 }'
    done
done
