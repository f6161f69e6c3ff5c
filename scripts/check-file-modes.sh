#!/usr/bin/env bash
# What `make run` / `make up` create is readable by its owner only, and what nginx's
# workers and postgres must reach stays reachable: scripts/stack.sh's own functions
# (make_dirs, write_env_file, save_seed_output, ensure_secret, ensure_cert) run in a
# throwaway data directory, then the modes are compared. `make test` runs it.
#   scripts/check-file-modes.sh [WORKDIR]
set -euo pipefail

work=${1:-$(mktemp -d /tmp/parley-modes.XXXXXX)}
mkdir -p "$work"
trap 'rm -rf -- "$work"' EXIT

export PARLEY_DATA_DIR=$work/data PARLEY_JWT_SECRET_FILE=$work/data/secrets/jwt.key
# shellcheck source=scripts/stack.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/stack.sh"

fail=0
expect_mode() {
    local want=$1 path=$2 got
    got=$(stat -c '%a' -- "$path")
    if [[ $got != "$want" ]]; then
        printf 'check-file-modes: %s is %s, want %s\n' "$path" "$got" "$want" >&2
        fail=1
    fi
}

[[ $(umask) == 0077 ]] || { echo "check-file-modes: stack.sh runs with umask $(umask), want 0077" >&2; fail=1; }

# A log an earlier run left world-readable is tightened too.
mkdir -p "$LOG_DIR"
echo old >"$LOG_DIR/nginx-access.log"
chmod 0644 "$LOG_DIR/nginx-access.log"

make_dirs
# (Paths only: resolve_pg_dir may move the cluster out of a private temp dir.)
PG_DIR=$DATA/pg PGDATA_DIR=$DATA/pg/data PG_SOCKDIR=$DATA/pg/run
write_env_file
ensure_secret "$SECRET_FILE"
ensure_cert "$TLS_DIR" 2>/dev/null
# `parley seed` stand-in: prints demo log-ins as the real one does.
fake_seed=$work/fake-parley
printf '#!/bin/sh\necho "alice / parley-demo"\n' >"$fake_seed"
chmod 0700 "$fake_seed"
save_seed_output "$fake_seed"

# Secrets and logs: owner only.
for f in "$ENV_FILE" "$DATA/.seeded" "$SECRET_FILE" "$TLS_DIR/key.pem" \
    "$LOG_DIR/parley.log" "$LOG_DIR/nginx-error.log" "$LOG_DIR/nginx-access.log"; do
    expect_mode 600 "$f"
done
grep -q parley-demo "$DATA/.seeded" || { echo "check-file-modes: .seeded lost the seed output" >&2; fail=1; }
expect_mode 700 "$DATA/secrets"
expect_mode 700 "$TLS_DIR"
# What others must traverse (postgres: .data; nginx workers: the socket dir, nginx temp).
for d in "$DATA" "$RUN_DIR" "$LOG_DIR" "$NGINX_DIR" "$NGINX_DIR/tmp"; do
    expect_mode 755 "$d"
done
expect_mode 644 "$TLS_DIR/cert.pem"

if ((fail)); then exit 1; fi
echo "check-file-modes: parley.env, logs, demo log-ins and keys are 0600; shared directories 0755"
