#!/usr/bin/env bash
# Profile one bench scenario: bench/profile.sh TEST [REQUESTS] [PATH]
#
# Starts the bench stack as `make bench` does, then replaces `parley serve` by the same
# release binary under `valgrind --tool=callgrind` (2 workers), sends REQUESTS (default 20000)
# requests to TEST's route through nginx (wrk -t1 -c1 with a counting script), stops it and
# writes bench/out/profile-TEST.txt (callgrind_annotate, exclusive and inclusive) next to the
# raw bench/out/callgrind.out.TEST.
#   TEST: plaintext json db queries fortunes updates, or any name with PATH given
#   (e.g. bench/profile.sh conversations 2000 /api/conversations/ — JWT added automatically
#   for /api/ paths, a session cookie from the log-in form for /conversations, /inbox,
#   /notifications and /account pages).
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
export BENCH_PROFILE="$1" BENCH_PROFILE_REQUESTS="${2:-20000}" BENCH_PROFILE_PATH="${3:-}"
exec "$(dirname -- "${BASH_SOURCE[0]}")/run.sh"
