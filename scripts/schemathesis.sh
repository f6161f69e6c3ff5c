#!/usr/bin/env bash
# schemathesis (PyPI) against a running Parley, through nginx: every operation of
# /api/openapi.json, generated requests valid and invalid, with every check
# (`--checks all`). Exits 0 if and only if it found nothing.
#
# Environment:
#   SCHEMATHESIS_BASE_URL      https://127.0.0.1:PORT of nginx (required; a self-signed
#                              certificate is accepted)
#   SCHEMATHESIS_TOKEN         a bearer access token; unset: the script registers a
#                              throwaway user and logs it in (registrations per address
#                              must allow one more)
#   SCHEMATHESIS_DATABASE_URL  with PARLEY_BIN and no token: the throwaway user is an admin,
#                              made with `parley createuser --admin` on this database, so the
#                              admin operations are tested too (otherwise they answer only
#                              403s). An admin may delete any conversation whose id it learns:
#                              only against a stack whose data does not matter
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 10)
#   SCHEMATHESIS_SEED          the random seed (default 13), so that a run can be repeated
#   SCHEMATHESIS_WORKERS       concurrent requests (default 1: with more, hypothesis on
#                              Python 3.11 may fail in its own code, "AST constructor recursion
#                              depth mismatch", a tool error that fails the run)
#   SCHEMATHESIS_REPORT_DIR    where the JUnit report goes (default: a temp dir, removed)
#
# `DELETE /api/users/me/` is left out: it would delete the very user whose token the run
# uses, and every later request would be a 401 (Tests/APITests cover that route).
#
# Used by `make test` (scripts/test.sh, a small fixed run) and by `make chaos` (more
# examples). The run needs the server's own limits raised for one client address
# (nginx's PARLEY_RATE_LIMIT/BURST/CONN_LIMIT; scripts/test.sh shows the values):
# schemathesis sends its requests as fast as the server answers.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

base=${SCHEMATHESIS_BASE_URL:?set SCHEMATHESIS_BASE_URL (e.g. https://127.0.0.1:8443)}
base=${base%/}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-10}
seed=${SCHEMATHESIS_SEED:-13}
workers=${SCHEMATHESIS_WORKERS:-1}

ensure_pip_module schemathesis "schemathesis==$SCHEMATHESIS_VERSION"
python3 -c 'import schemathesis' 2>/dev/null || die "schemathesis is not installed (pip install schemathesis)"

# The CLI as this python3's module, whatever pip put on PATH.
st() { python3 -m schemathesis.cli "$@"; }

work=$(mktemp -d /tmp/parley-schemathesis.XXXXXX)
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT

# api_post PATH JSON: POST to the API; prints the body, fails on a status other than 2xx.
api_post() {
    curl -k -s -f --max-time 30 -H 'Content-Type: application/json' --data "$2" "$base$1"
}

# The configuration: scripts/schemathesis.toml (what the command line cannot say; see the
# comments in it), plus how to authenticate.
config=$work/schemathesis.toml
cp -- "$PARLEY_ROOT/scripts/schemathesis.toml" "$config"
auth=()
if [[ -n ${SCHEMATHESIS_TOKEN:-} ]]; then
    auth=(--header "Authorization: Bearer $SCHEMATHESIS_TOKEN")
else
    # A throwaway user; schemathesis logs it in itself (POST /api/token/) and again whenever
    # an answer is 401, so a run longer than an access token's life (5 minutes by default)
    # keeps its credentials. The password reaches it through the environment only.
    PARLEY_ST_USERNAME="st_$(openssl rand -hex 6)"
    PARLEY_ST_PASSWORD="$(openssl rand -base64 18)"
    export PARLEY_ST_USERNAME PARLEY_ST_PASSWORD
    if [[ -n ${SCHEMATHESIS_DATABASE_URL:-} && -n ${PARLEY_BIN:-} ]]; then
        printf '%s' "$PARLEY_ST_PASSWORD" | DATABASE_URL=$SCHEMATHESIS_DATABASE_URL "$PARLEY_BIN" createuser \
            --username "$PARLEY_ST_USERNAME" --email "$PARLEY_ST_USERNAME@example.com" --admin --password-stdin >/dev/null ||
            die "parley createuser could not make an admin"
    else
        body=$(printf '{"username":"%s","email":"%s@example.com","password":"%s","first_name":"Schema","last_name":"Thesis"}' \
            "$PARLEY_ST_USERNAME" "$PARLEY_ST_USERNAME" "$PARLEY_ST_PASSWORD")
        api_post /api/register/ "$body" >/dev/null || die "could not register a user at $base/api/register/"
    fi
    cat >>"$config" <<'TOML'

[auth.dynamic.openapi.bearerAuth]
path = "/api/token/"
payload = { username = "${PARLEY_ST_USERNAME}", password = "${PARLEY_ST_PASSWORD}" }
extract_selector = "/access"
TOML
fi

log "schemathesis $(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))'):" \
    "$base/api/openapi.json, seed $seed, at most $max_examples examples per operation"
set +e
# (From the temp dir: schemathesis keeps a cache of earlier runs in `.schemathesis/` where it
# runs, which would make a run depend on the last one and litter the checkout.)
report_dir=${SCHEMATHESIS_REPORT_DIR:-$work}
[[ $report_dir == /* ]] || report_dir=$PWD/$report_dir
cd -- "$work"
st --config-file "$config" --no-color run "$base/api/openapi.json" \
    --checks all \
    --exclude-operation-id deleteCurrentUser \
    "${auth[@]}" \
    --tls-verify false \
    --seed "$seed" \
    --max-examples "$max_examples" \
    --workers "$workers" \
    --request-timeout 30 \
    --report junit --report-dir "$report_dir" >"$work/output.txt" 2>&1
status=$?
set -e

# The short summary: schemathesis's closing WARNINGS and SUMMARY sections; after a failure, everything
# from its first ERRORS or FAILURES section on (each finding with a curl line to repeat it).
if ((status != 0)) && grep -qE '^=+ (ERRORS|FAILURES) =+$' "$work/output.txt"; then
    sed -n '/^=* \(ERRORS\|FAILURES\) =*$/,$p' "$work/output.txt"
elif grep -qE '^=+ (WARNINGS|SUMMARY) =+$' "$work/output.txt"; then
    sed -n '/^=* \(WARNINGS\|SUMMARY\) =*$/,$p' "$work/output.txt"
else
    cat "$work/output.txt"
fi
if ((status == 0)); then
    log "schemathesis: no findings"
else
    warn "schemathesis reported findings (exit $status)"
fi
exit "$status"
