#!/usr/bin/env bash
# Record the profile that release builds are optimised with: `make pgo` writes pgo/parley.profdata
# (docs/decisions/0021-profile-guided-release-builds.md).
#
#  1. builds an instrumented parley (PARLEY_PGO=generate, which Package.swift reads; scratch
#     .build-pgo, so that no other build's objects are mixed in);
#  2. starts the bench stack with it (bench/run.sh with BENCH_HOLD; its own directory,
#     bench/out-pgo, and PostgreSQL port, 5434, so that it can run beside `make bench`);
#  3. sends each TechEmpower route, each bench route of the app and the other everyday pages
#     PGO_SECONDS (3) of load at 16 connections: what runs is what gets laid out as hot, and code
#     no request reached is laid out as cold;
#  4. stops the stack (every process writes its counts as it exits) and merges the counts with
#     the toolchain's llvm-profdata (Debian's is older and cannot read them).
# Commit the new pgo/parley.profdata with the change that called for it. The build does not track
# the profile as an input, so this removes the release builds in .build and .build-bench: the
# next ones compile everything with the new profile.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$PARLEY_ROOT"

OUT=$PARLEY_ROOT/bench/out-pgo
RAW=$OUT/profraw
SECONDS_EACH=${PGO_SECONDS:-3}
PROFILE=$PARLEY_ROOT/pgo/parley.profdata
PROFDATA=$(dirname -- "$(readlink -f "$(command -v swift)")")/llvm-profdata
[[ -x $PROFDATA ]] || die "no llvm-profdata beside the Swift toolchain ($PROFDATA)"

recorded_from=$(sources_tree)
rm -rf "$RAW" "$OUT/urls.env"
mkdir -p "$RAW"
# The instrumented processes (the master, its workers and the one-shot commands the stack runs)
# each write their own file as they exit.
export LLVM_PROFILE_FILE=$RAW/%p.profraw
PARLEY_PGO=generate BENCH_SCRATCH=$PARLEY_ROOT/.build-pgo BENCH_OUT=$OUT BENCH_PG_PORT=${PGO_PG_PORT:-5434} \
    BENCH_ONLY="te app" BENCH_HOLD=3600 "$PARLEY_ROOT/bench/run.sh" &
runner=$!
trap 'kill -TERM $runner 2>/dev/null || true' EXIT

log "waiting for the instrumented stack (the first run loads the bench data set: minutes)"
until [[ -s $OUT/urls.env ]] && grep -q '^TOKEN=' "$OUT/urls.env"; do
    kill -0 $runner 2>/dev/null || die "bench/run.sh stopped before the stack was ready"
    sleep 2
done
# shellcheck disable=SC1091  # written by bench/run.sh
. "$OUT/urls.env"

drive() {  # drive LABEL URL [wrk args]: load one route
    local label=$1 url=$2
    shift 2
    log "$label"
    local out summary
    out=$(wrk -t2 -c16 -d"${SECONDS_EACH}s" -s "$PARLEY_ROOT/bench/wrk/report.lua" "$@" "$url")
    summary=$(grep '^BENCH ' <<<"$out") || die "$label: wrk printed no summary"
    # A profile of error answers would lay out the wrong code as hot.
    [[ $summary == *" status=0 "* ]] || die "$label: some answers were errors ($summary)"
}
auth=(-H "Authorization: Bearer $TOKEN")
session=(-H "Cookie: $SESSION_COOKIE")
log "training: ${SECONDS_EACH}s per route"
for path in /plaintext /json /db "/queries?queries=20" /fortunes "/updates?queries=20"; do
    drive "TechEmpower $path" "$PARLEY_URL$path"
done
drive "conversation list" "$PARLEY_URL/api/conversations/" "${auth[@]}"
drive "messages page" "$PARLEY_URL/api/conversations/$READ_CID/messages/" "${auth[@]}"
BENCH_METHOD=POST BENCH_BODY='{"message_body":"profile training"}' \
    drive "post message" "$PARLEY_URL/api/conversations/$POST_CID/messages/" "${auth[@]}"
drive "conversation page" "$PARLEY_URL/conversations/$READ_CID" "${session[@]}"
drive "inbox page" "$PARLEY_URL/inbox" "${session[@]}"
drive "notifications page" "$PARLEY_URL/notifications" "${session[@]}"
drive "notifications API" "$PARLEY_URL/api/notifications/" "${auth[@]}"
drive "log-in page" "$PARLEY_URL/login"

log "stopping the stack; merging the counts"
kill -TERM $runner
wait $runner || true
trap - EXIT
shopt -s nullglob
raw=("$RAW"/*.profraw)
((${#raw[@]})) || die "no counts were written to $RAW"
mkdir -p "$(dirname -- "$PROFILE")"
"$PROFDATA" merge -o "$PROFILE" "${raw[@]}"
# Which code the counts came from, so that the bench can say how far Sources/ has moved since.
echo "$recorded_from" >"$PROFILE.sources"
for scratch in "$PARLEY_ROOT/.build" "$PARLEY_ROOT/.build-bench"; do
    rm -rf "$scratch/release" "$scratch"/*-linux-gnu/release
done
log "wrote $PROFILE from ${#raw[@]} processes' counts (Sources/ tree $recorded_from)"
