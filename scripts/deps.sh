#!/usr/bin/env bash
# Install the Debian packages Parley needs, if any are missing.
#   scripts/deps.sh          what `make run` needs
#   scripts/deps.sh --test   plus what `make test` needs (docker-compose, for `config -q`)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

pkgs=("${PARLEY_DEPS[@]}")
[[ ${1:-} == --test ]] && pkgs+=("${PARLEY_TEST_DEPS[@]}")
ensure_packages "${pkgs[@]}"
log "Debian packages present: ${pkgs[*]}"
