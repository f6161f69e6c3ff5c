#!/usr/bin/env bash
# pg_ctl for one of the stack's clusters, as the user that owns it:
#   scripts/pg-ctl.sh DATADIR LOGFILE restart -m fast -w
# `make test` hands this (with DATADIR and LOGFILE filled in) to the tests as
# PARLEY_TEST_PG_CTL.
#
# Every file descriptor above 2 is closed first: a postmaster started by
# pg_ctl would otherwise inherit them and keep them open for its whole life.
# Foundation's Process (Linux) learns that a child exited when the socket it
# gave the child is closed by everyone holding it, so a test's
# `Process.waitUntilExit()` on `sh -c "… restart"` would never return.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

datadir=${1:?usage: pg-ctl.sh DATADIR LOGFILE PG_CTL-ARGS...}
logfile=${2:?usage: pg-ctl.sh DATADIR LOGFILE PG_CTL-ARGS...}
shift 2

for fd in "/proc/$$/fd"/*; do
    fd=${fd##*/}
    if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
        eval "exec $fd>&-" 2>/dev/null || true
    fi
done

as_pg "$(pg_bindir)/pg_ctl" -D "$datadir" -l "$logfile" "$@"
