#!/bin/sh
# Container health check for parley: a FastCGI "GET /healthz" straight to the
# responder (no nginx needed), healthy when the status is 200.
#   fcgi-healthcheck HOST:PORT|/path/to/socket
set -eu
addr=${1:-127.0.0.1:9000}
out=$(REQUEST_METHOD=GET REQUEST_URI=/healthz SCRIPT_NAME=/healthz QUERY_STRING= \
      SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 \
      GATEWAY_INTERFACE=CGI/1.1 cgi-fcgi -bind -connect "$addr" 2>/dev/null) || exit 1
# A FastCGI response without a Status header means 200.
status=$(printf '%s\n' "$out" | tr -d '\r' | sed -n '1,/^$/{s/^[Ss]tatus: *\([0-9][0-9][0-9]\).*/\1/p}' | head -n 1)
[ "${status:-200}" = 200 ]
