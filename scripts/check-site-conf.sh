#!/usr/bin/env bash
# Validate deploy/nginx-site.conf with `nginx -t`, the way Debian's nginx would
# load it: inside a copy of Debian's default http {} block, with the Let's
# Encrypt paths pointed at a test certificate and the log paths at WORKDIR.
# Then deploy/nginx-docker.conf the same way (its upstream host "parley",
# which only resolves on the compose network, replaced by 127.0.0.1).
#   scripts/check-site-conf.sh WORKDIR TLSDIR   (TLSDIR has cert.pem and key.pem)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

work=${1:?usage: check-site-conf.sh WORKDIR TLSDIR}
tls=${2:?usage: check-site-conf.sh WORKDIR TLSDIR}
mkdir -p "$work/logs" "$work/tmp"
# nginx -t binds the unix sockets it listens on (Nchan's publisher and auth hop): into WORKDIR.
live_sockets_into() { printf 's|listen unix:/run/[^;]*/\\([^/;]*\\.sock\\);|listen unix:%s/\\1;|' "$(sed_escape "$1")"; }

sed -e "s|/etc/letsencrypt/live/example.com/fullchain.pem|$(sed_escape "$tls/cert.pem")|g" \
    -e "s|/etc/letsencrypt/live/example.com/privkey.pem|$(sed_escape "$tls/key.pem")|g" \
    -e "s|/var/log/nginx/|$(sed_escape "$work/logs/")|g" \
    -e "$(live_sockets_into "$work")" \
    "$PARLEY_ROOT/deploy/nginx-site.conf" >"$work/site.conf"

mime=/etc/nginx/mime.types
if [[ ! -r $mime ]]; then
    mime=$work/mime.types
    echo 'types { text/html html; text/css css; }' >"$mime"
fi

# Debian 12's /etc/nginx/nginx.conf, with paths moved into WORKDIR.
# (Debian's includes /etc/nginx/modules-enabled/*.conf, where libnginx-mod-nchan enables
# Nchan by a path relative to Debian's prefix; here it is loaded by its absolute path.)
cat >"$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 768; }
http {
    client_body_temp_path $work/tmp/client_body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include $mime;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log $work/logs/access.log;
    gzip on;
    include $work/site.conf;
}
CONF

"$(nginx_bin)" -t -q -p "$work/" -c "$work/nginx.conf" -e "$work/logs/error.log"

sed -e 's|server parley:9000;|server 127.0.0.1:9000;|' -e "$(live_sockets_into "$work")" \
    "$PARLEY_ROOT/deploy/nginx-docker.conf" >"$work/site.conf"
"$(nginx_bin)" -t -q -p "$work/" -c "$work/nginx.conf" -e "$work/logs/error.log"

# deploy/nginx-cluster-site.conf (two parley hosts over TCP), the same way.
sed -e "s|/etc/letsencrypt/live/example.com/fullchain.pem|$(sed_escape "$tls/cert.pem")|g" \
    -e "s|/etc/letsencrypt/live/example.com/privkey.pem|$(sed_escape "$tls/key.pem")|g" \
    -e "s|/var/log/nginx/|$(sed_escape "$work/logs/")|g" \
    "$PARLEY_ROOT/deploy/nginx-cluster-site.conf" >"$work/site.conf"
"$(nginx_bin)" -t -q -p "$work/" -c "$work/nginx.conf" -e "$work/logs/error.log"
