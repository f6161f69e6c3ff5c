# Parley — operations entry points. Run `make help` for the list.
#
# Everything is in scripts/: this file only names the commands. Ports and
# other settings come from the environment (see README.md, "Configuration"):
#   make run PARLEY_HTTPS_PORT=9443 PARLEY_HTTP_PORT=9080

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Settings are read from the environment by the scripts; variables given on
# make's command line (make run PARLEY_HTTPS_PORT=9443) reach them the same way.

.PHONY: help deps build build-debug run up down reload status env psql seed logs test pgo \
        nginx-test compose-check lint screenshots bench chaos clean cluster cluster-down cluster-status

help: ## Show this list
	@printf 'Parley: make TARGET\n\n'
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'
	@printf '\nFirst time: make run   (then open https://127.0.0.1:8443/)\n'

deps: ## Install missing Debian packages (apt-get, only if something is missing)
	@scripts/deps.sh --test

build: ## Build parley in release mode
	@scripts/deps.sh
	swift build -c release --product parley

build-debug: ## Build parley and the tests in debug mode
	@scripts/deps.sh
	swift build --build-tests

run: ## Start PostgreSQL + parley + nginx in the foreground (Ctrl-C stops all)
	@scripts/stack.sh run

up: ## Start the same stack in the background (writes .data/parley.env)
	@scripts/stack.sh up

down: ## Stop the background stack (or a `make run` elsewhere)
	@scripts/stack.sh down

reload: ## Rebuild parley and reload it without a gap (SIGHUP: new workers, then the old ones drain)
	@scripts/stack.sh reload

status: ## Show what is running
	@scripts/stack.sh status

env: ## Print .data/parley.env (use: set -a; . .data/parley.env; set +a)
	@scripts/stack.sh env

psql: ## Open psql on the dev database
	@scripts/stack.sh psql

seed: ## Run `parley seed` against the dev database (if parley has it)
	@scripts/stack.sh seed

logs: ## Follow the dev stack's logs
	@tail -n 50 -F .data/log/parley.log .data/log/nginx-error.log .data/log/nginx-access.log .data/pg/postgres.log

cluster: ## Two parley instances behind nginx, a PostgreSQL primary + streaming replica (CLUSTER_PGBOUNCER=1: PgBouncer) in .data/cluster
	@scripts/cluster.sh up

cluster-down: ## Stop what `make cluster` started
	@scripts/cluster.sh down

cluster-status: ## Show the cluster's parts and the replica's lag
	@scripts/cluster.sh status

test: ## Build debug, start a throwaway stack, run `swift test` (the CI entry point)
	@scripts/test.sh

nginx-test: ## Render nginx.conf into .data/ and run nginx -t on it and on deploy/nginx-site.conf
	@scripts/stack.sh nginx-test
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	    . scripts/lib.sh && ensure_cert "$$d/tls" && \
	    scripts/check-site-conf.sh "$$d/site" "$$d/tls" && echo "nginx -t: deploy/nginx-site.conf is valid"

compose-check: ## Validate docker-compose.yml (docker-compose config -q; no engine needed)
	@scripts/deps.sh --test
	@. scripts/lib.sh && compose_check && echo "docker-compose.yml is valid (with a throwaway PARLEY_JWT_SECRET; refused without one)"

lint: ## shellcheck the scripts
	@command -v shellcheck >/dev/null || { echo "shellcheck is not installed (apt-get install shellcheck)"; exit 1; }
	shellcheck -x scripts/*.sh .ci/run

screenshots: ## PNGs of the main pages (seeded demo, headless Chromium, phone and laptop widths) in screenshots/
	@scripts/screenshots.sh

bench: ## Load tests through nginx with wrk: parley vs a C reference (writes bench/out/latest.md)
	@bench/run.sh

pgo: ## Record the profile release builds are optimised with (pgo/parley.profdata; docs/decisions/0021)
	@bench/pgo.sh

chaos: ## Faults and attacks on a throwaway stack, scenario by scenario (writes chaos/out/latest.md)
	@scripts/chaos.sh

clean: ## Remove .build; `make clean DATA=yes` also stops the stack and deletes .data (the dev database!)
	rm -rf .build
ifeq ($(DATA),yes)
	@scripts/stack.sh down || true
	@if [ -L .data/pg ]; then d=$$(readlink .data/pg); rm -rf -- "$$d"; rmdir -- "$$(dirname -- "$$d")" 2>/dev/null || true; fi
	rm -rf .data
else
	@echo "kept .data (the dev database); to delete it too: make clean DATA=yes"
endif
