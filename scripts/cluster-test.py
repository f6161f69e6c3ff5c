#!/usr/bin/env python3
"""The cluster topology's tests (issue 16), run by `make test` on a `scripts/cluster.sh up`.

Everything goes through the real parts: nginx over TLS, or one instance's FastCGI TCP port
directly (as "host a" or "host b"), and the PostgreSQL primary and replica. Usage:

    set -a; . CLUSTER_DIR/cluster.env; set +a; scripts/cluster-test.py [NAME...]

Exits non-zero on the first failed check; prints one line per check with its figures.
"""
import http.client
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URL = os.environ["CLUSTER_URL"]
HOST, PORT = URL.split("//")[1].split(":")
APP_PORTS = [int(p) for p in os.environ["CLUSTER_APP_PORTS"].split()]
PG_SOCKDIR = os.environ["CLUSTER_PG_SOCKDIR"]
PRIMARY_PORT, REPLICA_PORT = os.environ["CLUSTER_PG_PORTS"].split()
RUN_DIR = os.environ["CLUSTER_RUN_DIR"]
PASSWORD = "correct horse battery staple"
TLS = ssl._create_unverified_context()  # the cluster's self-signed certificate


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- HTTP through nginx

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body or b"null")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Client:
    """A keep-alive HTTPS connection to nginx, with a cookie jar (for parley_lsn)."""

    def __init__(self, timeout=10):
        self.timeout = timeout
        self.connection = None
        self.cookies = {}

    def request(self, method, path, token=None, body=None, headers=None):
        h = {"Host": f"{HOST}:{PORT}"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(HOST, int(PORT), context=TLS, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=h)
                r = self.connection.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # nginx closed an idle kept-alive connection before this request was sent.
                self.connection.close()
                self.connection = None
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return Response(r.status, r.getheaders(), data)


# ---------------------------------------------------------------- FastCGI to one instance

def fcgi(port, method, path, token=None, body=None, query="", cookies=None, form=None):
    """One request straight to an instance's FastCGI port, as nginx would send it."""
    payload = json.dumps(body).encode() if body is not None else b""
    if form is not None:
        payload = urllib.parse.urlencode(form).encode()
    params = {
        "REQUEST_METHOD": method, "REQUEST_URI": path + ("?" + query if query else ""), "DOCUMENT_URI": path,
        "QUERY_STRING": query, "SCRIPT_NAME": "", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "https",
        "HTTPS": "on", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "1", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": PORT, "SERVER_ADDR": "127.0.0.1", "GATEWAY_INTERFACE": "CGI/1.1", "HTTP_HOST": f"127.0.0.1:{PORT}",
        "CONTENT_LENGTH": str(len(payload)), "CONTENT_TYPE": "application/json" if body is not None else "",
    }
    if token:
        params["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if form is not None:
        params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    if cookies:
        params["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    def record(kind, content):
        return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content

    def length(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)

    encoded = b"".join(length(len(k)) + length(len(v.encode())) + k.encode() + v.encode() for k, v in params.items())
    message = record(1, struct.pack(">HB5x", 1, 0)) + record(4, encoded) + record(4, b"")
    if payload:
        message += record(5, payload)
    message += record(5, b"")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(message)
        out = b""
        buffer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 8:
                _, kind, _, n, pad = struct.unpack(">BBHHB", buffer[:7])
                if len(buffer) < 8 + n + pad:
                    break
                if kind == 6:
                    out += buffer[8:8 + n]
                buffer = buffer[8 + n + pad:]
                if kind == 3:
                    return parse_cgi(out)
    return parse_cgi(out)


def parse_cgi(out):
    head, _, body = out.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode().split("\r\n"):
        k, _, v = line.partition(":")
        if k.lower() == "status":
            status = int(v.strip().split()[0])
        elif k:
            headers.append((k, v.strip()))
    return Response(status, headers, body)


def metrics(name):
    """The sum of an OpenMetrics counter over both instances (each one's /status)."""
    total = 0
    for port in APP_PORTS:
        text = fcgi(port, "GET", "/status", query="openmetrics").body.decode()
        for line in text.splitlines():
            if line.startswith(f"parley_{name}_total ") or line.startswith(f"parley_{name} "):
                total += float(line.split()[-1])
    return total


# ---------------------------------------------------------------- PostgreSQL and processes

def psql(port, sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", PG_SOCKDIR, "-p", port, "-U", "postgres", "-d", "parley", "-c", sql],
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def cluster(*args):
    subprocess.run([os.path.join(ROOT, "scripts", "cluster.sh"), *args], check=True, stdout=subprocess.DEVNULL)


def instance_pids(index):
    """The master of instance INDEX (its pid file) and its children (the worker processes)."""
    name = "abcdefgh"[index]
    master = int(open(os.path.join(RUN_DIR, f"parley-{name}.pid")).read())
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry))
    return master, children


# ---------------------------------------------------------------- accounts

def register(client, prefix, via=None):
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, "first_name": "C", "last_name": "L"}
    r = fcgi(via, "POST", "/api/register/", body=body) if via else client.request("POST", "/api/register/", body=body)
    check(r.status == 201, f"register: {r.status} {r.body[:200]}")
    user = r.json()
    login = {"username": name, "password": PASSWORD}
    t = fcgi(via, "POST", "/api/token/", body=login) if via else client.request("POST", "/api/token/", body=login)
    check(t.status == 200, f"token: {t.status} {t.body[:200]}")
    tokens = t.json()
    return {"id": user["user_id"], "name": name, "access": tokens["access"], "refresh": tokens["refresh"]}


def conversation(client, owner, others=()):
    r = client.request("POST", "/api/conversations/", owner["access"], {"participant_ids": [o["id"] for o in others], "title": "cluster"})
    check(r.status == 201, f"create conversation: {r.status} {r.body[:200]}")
    return r.json()["conversation_id"]


# ---------------------------------------------------------------- the tests

def set_cookies(response, jar):
    for k, v in response.headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name] = rest.split(";")[0]


def test_session_across_hosts():
    a, b = APP_PORTS[0], APP_PORTS[1]
    user = register(None, "xhost", via=a)
    me = fcgi(b, "GET", "/api/users/me/", token=user["access"])
    check(me.status == 200 and me.json()["username"] == user["name"], f"a token from host a on host b: {me.status}")

    # A browser session: the log-in form from host a, posted to host a, the inbox from host b.
    jar = {}
    form = fcgi(a, "GET", "/login")
    set_cookies(form, jar)
    token = form.body.decode().split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    login = fcgi(a, "POST", "/login", cookies=jar, form={"username": user["name"], "password": PASSWORD, "csrf_token": token})
    check(login.status == 303, f"page log-in on host a: {login.status}")
    set_cookies(login, jar)
    inbox = fcgi(b, "GET", "/inbox", cookies=jar)
    check(inbox.status == 200 and user["name"] in inbox.body.decode(), f"the inbox on host b with host a's session: {inbox.status}")
    return "API token and browser session made on host a are honoured on host b (/api/users/me/ 200, /inbox 200)"


def test_limits_across_hosts():
    client = Client()
    limit = int(os.environ.get("PARLEY_MESSAGE_RATE_LIMIT", "5"))
    user = register(client, "limit")
    cid = conversation(client, user)
    statuses = []
    for i in range(limit + 4):
        port = APP_PORTS[i % 2]
        statuses.append(fcgi(port, "POST", f"/api/conversations/{cid}/messages/", user["access"], {"message_body": f"m{i}"}).status)
    accepted = statuses.count(201)
    check(accepted == limit and statuses[limit:] == [429] * 4,
          f"message rate limit across hosts: {accepted} accepted of limit {limit}, then {statuses[limit:]}")

    # Refresh-token reuse: rotate on host a, replay the old token on host b: refused, and the
    # whole family (the new token too) is revoked.
    first = user["refresh"]
    rotated = fcgi(APP_PORTS[0], "POST", "/api/token/refresh/", body={"refresh": first})
    check(rotated.status == 200, f"refresh on host a: {rotated.status}")
    second = rotated.json()["refresh"]
    reused = fcgi(APP_PORTS[1], "POST", "/api/token/refresh/", body={"refresh": first})
    check(reused.status == 401, f"reused refresh token on host b: {reused.status}")
    after = fcgi(APP_PORTS[0], "POST", "/api/token/refresh/", body={"refresh": second})
    check(after.status == 401, f"the family's newest token after the reuse, on host a: {after.status}")
    return f"{accepted} of {limit + 4} posts alternating hosts accepted, rest 429; refresh reuse on host b revoked host a's family"


def test_read_your_writes(n=int(os.environ.get("CLUSTER_TEST_WRITES", "1000"))):
    limit = int(os.environ.get("PARLEY_MESSAGE_RATE_LIMIT", "5"))
    clients_needed = -(-n // limit)
    stale = 0
    latencies = []
    before = (metrics("replica_reads"), metrics("replica_waits"), metrics("replica_fallbacks"))
    done = 0
    started = time.monotonic()
    for _ in range(clients_needed):
        client = Client()  # its own cookie jar: the position travels with this client
        user = register(client, "ryw")
        cid = conversation(client, user)
        for i in range(min(limit, n - done)):
            text = f"ryw-{uuid.uuid4().hex}"
            posted = client.request("POST", f"/api/conversations/{cid}/messages/", user["access"], {"message_body": text})
            check(posted.status == 201, f"post: {posted.status} {posted.body[:200]}")
            t0 = time.monotonic()
            read = client.request("GET", f"/api/conversations/{cid}/messages/?ordering=-sent_at&page_size=1", user["access"])
            latencies.append(time.monotonic() - t0)
            check(read.status == 200, f"read after write: {read.status}")
            results = read.json()["results"]
            if not results or results[0]["message_body"] != text:
                stale += 1
            done += 1
    elapsed = time.monotonic() - started
    latencies.sort()
    reads, waits, fallbacks = (metrics("replica_reads") - before[0], metrics("replica_waits") - before[1],
                               metrics("replica_fallbacks") - before[2])
    check(stale == 0, f"read-your-writes: {stale} of {n} reads were stale")
    # The guarantee must come from the replica, not from sending everything to the primary.
    check(reads >= n / 2, f"read-your-writes: only {reads:.0f} of {n} reads were served by the replica")
    return (f"{n} post-then-read pairs, 0 stale; replica served {reads:.0f}, waited for replay {waits:.0f}, "
            f"primary served {fallbacks:.0f}; {elapsed / n * 1000:.1f} ms per pair; read after write "
            f"p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms")


def load(duration, workers, on_result, kind="mixed", stop=None):
    """WORKERS threads for DURATION seconds: GETs of a list, and POSTs with a unique body each
    (kind "mixed"), or list reads only (kind "reads"). on_result(kind, status, body, t)."""
    client0 = Client()
    limit = int(os.environ.get("PARLEY_MESSAGE_RATE_LIMIT", "5"))
    users = [register(client0, "load") for _ in range(workers)]
    conversations = [conversation(client0, u) for u in users]
    end = time.monotonic() + duration

    def work(i):
        client = Client(timeout=15)
        user, cid = users[i], conversations[i]
        posts = 0
        n = 0
        while time.monotonic() < end and not (stop and stop.is_set()):
            n += 1
            # Half the clients post on every third request (within the rate limit), so POSTs
            # are in flight when the instance dies.
            if kind == "mixed" and posts < limit and i % 2 == 0 and n % 3 == 0:
                text = f"ledger-{uuid.uuid4().hex}"
                posts += 1
                try:
                    r = client.request("POST", f"/api/conversations/{cid}/messages/", user["access"], {"message_body": text})
                    on_result("POST", r.status, text, time.monotonic())
                except Exception:
                    client.connection = None
                    on_result("POST", 0, text, time.monotonic())
            else:
                try:
                    r = client.request("GET", "/api/conversations/", user["access"])
                    on_result("GET", r.status, None, time.monotonic())
                except Exception:
                    client.connection = None
                    on_result("GET", 0, None, time.monotonic())
            time.sleep(0.005)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    return threads


def test_instance_killed():
    results = []
    lock = threading.Lock()

    def on_result(kind, status, body, t):
        with lock:
            results.append((kind, status, body, t))

    threads = load(8, 8, on_result)
    time.sleep(2.5)
    master, workers = instance_pids(1)
    killed_at = time.monotonic()
    for pid in [master] + workers:
        os.kill(pid, 9)
    for t in threads:
        t.join()
    failed = [r for r in results if r[1] not in (200, 201)]
    after = [r for r in failed if r[3] > killed_at + 1.0]
    ok_after = [r for r in results if r[3] > killed_at and r[1] in (200, 201)]
    check(len(ok_after) > 0, "no request succeeded after the kill")
    # Only requests in flight on the killed instance may fail: at most one per client thread,
    # around the moment of the kill; nothing a second later.
    check(len(failed) <= 8 and not after,
          f"{len(failed)} failed requests ({[(k, s) for k, s, _, _ in failed]}), {len(after)} of them more than 1 s after the kill")
    first_ok = min(r[3] for r in ok_after) - killed_at

    # The ledger: every acknowledged POST is stored exactly once, and no POST (acknowledged or
    # not) is stored twice.
    posted = [r for r in results if r[0] == "POST"]
    acknowledged = {r[2] for r in posted if r[1] == 201}
    bodies = [r[2] for r in posted]
    quoted = ",".join("'" + b + "'" for b in bodies)
    rows = psql(PRIMARY_PORT, f"SELECT message_body, count(*) FROM messages WHERE message_body IN ({quoted}) GROUP BY 1")
    counts = dict((line.split("|")[0], int(line.split("|")[1])) for line in rows.splitlines() if line)
    missing = [b for b in acknowledged if counts.get(b, 0) != 1]
    doubled = [b for b, c in counts.items() if c > 1]
    check(not missing and not doubled, f"ledger: {len(missing)} acknowledged POSTs not stored once, {len(doubled)} stored twice")
    cluster("start-instance", "1")
    return (f"{len(results)} requests, {len(failed)} failed (all within 1 s of the kill -9 of host b's master + "
            f"{len(workers)} workers); first success after the kill {first_ok * 1000:.0f} ms; ledger: "
            f"{len(acknowledged)} acknowledged POSTs each stored once, {len(bodies) - len(acknowledged)} unacknowledged, 0 doubled")


def test_replica_stopped():
    results = []
    lock = threading.Lock()

    def on_result(kind, status, body, t):
        with lock:
            results.append((kind, status, t))

    replica_data = os.environ["CLUSTER_REPLICA_DATA"]
    pg_ctl = [os.path.join(ROOT, "scripts", "pg-ctl.sh"), replica_data, os.path.join(os.path.dirname(replica_data), "replica.log")]
    stop = threading.Event()
    threads = load(60, 4, on_result, kind="reads", stop=stop)
    time.sleep(1.5)
    fallbacks0 = metrics("replica_fallbacks")
    subprocess.run(pg_ctl + ["stop", "-m", "fast", "-w"], check=True, stdout=subprocess.DEVNULL)
    stopped_at = time.monotonic()
    time.sleep(3)
    fallbacks = metrics("replica_fallbacks") - fallbacks0
    subprocess.run(pg_ctl + ["start", "-w"], check=True, stdout=subprocess.DEVNULL)
    started_at = time.monotonic()
    reads0 = metrics("replica_reads")
    back = None
    while time.monotonic() - started_at < 15:
        time.sleep(0.25)
        if metrics("replica_reads") > reads0 + 20:
            back = time.monotonic() - started_at
            break
    stop.set()
    for t in threads:
        t.join()
    failed = [r for r in results if r[1] != 200]
    during = [r for r in results if stopped_at <= r[2] <= started_at]
    check(not failed, f"{len(failed)} of {len(results)} reads failed while the replica was stopped and restarted")
    check(during and fallbacks > 0, f"reads while the replica was down: {len(during)}, primary fallbacks {fallbacks}")
    check(back is not None, "reads did not go back to the replica within 15 s of its restart")
    return (f"{len(results)} reads, 0 failed; {len(during)} while the replica was down ({fallbacks:.0f} counted on the "
            f"primary); back on the replica {back:.1f} s after it restarted")


def test_promotion():
    """The primary stops and the replica is promoted: parley carries on with no restart
    (DATABASE_URL lists both servers with target_session_attrs=read-write). Last: it leaves
    the cluster without a replica."""
    client = Client()
    user = register(client, "promo")
    cid = conversation(client, user)
    data = {name: os.environ[f"CLUSTER_{name.upper()}_DATA"] for name in ("primary", "replica")}

    def pg_ctl(name, *args):
        log = os.path.join(os.path.dirname(data[name]), f"{name}.log")
        subprocess.run([os.path.join(ROOT, "scripts", "pg-ctl.sh"), data[name], log, *args], check=True, stdout=subprocess.DEVNULL)

    pg_ctl("primary", "stop", "-m", "fast", "-w")
    stopped = time.monotonic()
    pg_ctl("replica", "promote", "-w")
    text = f"promoted-{uuid.uuid4().hex}"
    key = uuid.uuid4().hex
    statuses = []
    while time.monotonic() - stopped < 30:
        # The same Idempotency-Key on every attempt: a retry after an unknown outcome is safe.
        r = client.request("POST", f"/api/conversations/{cid}/messages/", user["access"], {"message_body": text},
                           headers={"Idempotency-Key": key})
        statuses.append(r.status)
        if r.status == 201:
            break
        time.sleep(0.2)
    took = time.monotonic() - stopped
    check(statuses[-1] == 201, f"no write succeeded within 30 s of the promotion: {statuses[-10:]}")
    check(set(statuses[:-1]) <= {503}, f"while the primary was away, writes answered {sorted(set(statuses))} (503 expected)")
    stored = psql(REPLICA_PORT, f"SELECT count(*) FROM messages WHERE message_body = '{text}'")
    check(stored == "1", f"the write is stored {stored} times on the promoted server")
    listed = client.request("GET", f"/api/conversations/{cid}/messages/?ordering=-sent_at", user["access"])
    check(listed.status == 200 and listed.json()["results"][0]["message_body"] == text, f"read after the promotion: {listed.status}")
    return (f"primary stopped, replica promoted: the first write succeeded {took:.1f} s later, after "
            f"{len(statuses) - 1} answers of 503; stored once; reads follow; no parley restart")


TESTS = {
    "session": test_session_across_hosts,
    "limits": test_limits_across_hosts,
    "read-your-writes": test_read_your_writes,
    "instance-killed": test_instance_killed,
    "replica-stopped": test_replica_stopped,
    "promotion": test_promotion,
}


def main(names):
    failed = 0
    for name in names or TESTS:
        started = time.monotonic()
        try:
            detail = TESTS[name]()
            print(f"ok    cluster {name} ({time.monotonic() - started:.1f} s): {detail}", flush=True)
        except Exception as error:  # a failed check, or the cluster misbehaving
            failed += 1
            print(f"FAIL  cluster {name} ({time.monotonic() - started:.1f} s): {error}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
