#!/usr/bin/env python3
"""The chaos driver (Python 3 stdlib only): faults and attacks against a running stack.

scripts/chaos.sh starts the stack and runs this with the stack in the environment (CHAOS_URL,
CHAOS_SOCKET, CHAOS_PARLEY_PIDFILE, CHAOS_PG_*, CHAOS_OUT; see there). For each scenario a
load generator posts messages through nginx, each with an Idempotency-Key (a client retries an
unanswered or refused post with the same key, as the API invites), and keeps the ledger of
every post acknowledged with a 2xx. After the scenario the database must hold every
acknowledged message exactly once. Recovery is the time from the end of the fault until
/healthz answers 200 again.

Prints a Markdown table (one row per scenario) and `chaos: N/N scenarios held`, and writes it
to CHAOS_OUT.
"""

import argparse
import collections
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402
import fcgi_fuzz  # noqa: E402
import procstat  # noqa: E402

ENV = os.environ
URL = urllib.parse.urlsplit(ENV.get("CHAOS_URL", "https://127.0.0.1:8443"))
SOCKET = ENV.get("CHAOS_SOCKET", "")
PIDFILE = ENV.get("CHAOS_PARLEY_PIDFILE", "")
PG_SOCKDIR = ENV.get("CHAOS_PG_SOCKDIR", "")
PG_PORT = ENV.get("CHAOS_PG_PORT", "5432")
PG_BINDIR = ENV.get("CHAOS_PG_BINDIR", "")
PG_CTL = ENV.get("CHAOS_PG_CTL", "")
LOCK_TIMEOUT = int(ENV.get("CHAOS_LOCK_TIMEOUT_MS", "2000")) / 1000
PROCESSES = int(ENV.get("CHAOS_PROCESSES", "2"))
CONNECT_TIMEOUT = 5  # PostgresConfiguration.connectTimeout
RUN = uuid.uuid4().hex[:8]
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE
# Kinds of failure that are the fault showing, never a bug: anything else (a 500 above all)
# fails every scenario.
TRANSIENT = {"502", "503", "504", "refused", "reset", "timeout", "401 token expired"}


def log(message):
    print("chaos: " + message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- HTTP

def error_kind(error):
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine, ssl.SSLError)):
        return "reset"
    return type(error).__name__


class Client:
    """One kept-alive HTTPS connection to nginx (reopened after any failure)."""

    def __init__(self, timeout=10.0):
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes); raises OSError-like errors for the transport."""
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(URL.hostname, URL.port, timeout=self.timeout, context=TLS)
        try:
            data = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json"} if data is not None else {}
            all_headers.update(headers or {})
            self.conn.request(method, path, data, all_headers)
            response = self.conn.getresponse()
            payload = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Account:
    """A chaos user and a fresh access token when the old one is refused."""

    def __init__(self, name):
        self.name = name
        self.password = "chaos-" + uuid.uuid4().hex
        self.lock = threading.Lock()
        self.token = None
        self.id = None

    def register(self, client):
        status, _, body = client.request("POST", "/api/register/", {
            "username": self.name, "email": self.name + "@chaos.invalid", "password": self.password,
            "first_name": "Chaos", "last_name": "Monkey"})
        if status not in (200, 201):
            raise SystemExit("POST /api/register/ for %s answered %d: %s" % (self.name, status, body[:300]))
        self.login(client)
        _, _, me = client.request("GET", "/api/users/me/", headers=self.auth())
        info = json.loads(me)
        self.id = info.get("user_id") or info.get("id")

    def login(self, client):
        for _ in range(60):
            try:
                status, _, body = client.request("POST", "/api/token/", {"username": self.name, "password": self.password})
                if status == 200:
                    with self.lock:
                        self.token = json.loads(body)["access"]
                    return
            except Exception:  # noqa: BLE001 — the stack may be recovering
                pass
            time.sleep(0.5)
        raise SystemExit("could not log in as %s" % self.name)

    def auth(self):
        with self.lock:
            return {"Authorization": "Bearer " + self.token}


# ---------------------------------------------------------------- load and ledger

Attempt = collections.namedtuple("Attempt", "t kind latency retry_after")


class Load:
    """Threads posting messages with Idempotency-Keys; every attempt and every acknowledged
    post recorded. A failed attempt is retried with the same key (after Retry-After, capped)
    for up to `give_up` seconds; then the message counts as never acknowledged."""

    def __init__(self, scenario, account, conversation, threads=6, give_up=20.0, rate=None):
        self.prefix = "chaos-%s-%s-" % (RUN, scenario)
        self.account, self.conversation = account, conversation
        self.threads_n, self.give_up = threads, give_up
        # Messages per second over all threads (None: as fast as answered).
        self.interval = threads / rate if rate else None
        self.attempts = []
        self.acked = {}
        self.sent = 0
        self.stop = threading.Event()
        self.threads = []

    def start(self):
        for i in range(self.threads_n):
            t = threading.Thread(target=self.run, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def run(self, index):
        client = Client()
        path = "/api/conversations/%s/messages/" % self.conversation
        n = 0
        next_slot = time.monotonic()
        while not self.stop.is_set():
            if self.interval:
                next_slot += self.interval
                pause = next_slot - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                else:
                    next_slot = time.monotonic()
            n += 1
            key = "%s%d-%d" % (self.prefix, index, n)
            self.sent += 1
            first = time.monotonic()
            while True:
                t0 = time.monotonic()
                retry_after = None
                try:
                    status, headers, body = client.request(
                        "POST", path, {"message_body": key}, dict(self.account.auth(), **{"Idempotency-Key": key}))
                    kind = str(status)
                    retry_after = headers.get("retry-after")
                except Exception as error:  # noqa: BLE001
                    status, kind = None, error_kind(error)
                if status == 401:
                    kind = "401 token expired"  # the access token's lifetime is 5 minutes
                self.attempts.append(Attempt(t0, kind, time.monotonic() - t0, retry_after))
                if status is not None and 200 <= status < 300:
                    self.acked[key] = True
                    break
                if status == 401:
                    self.account.login(client)
                    continue
                if status is not None and status < 500 and status not in (408, 429):
                    break  # refused for good: never acknowledged
                if time.monotonic() - first > self.give_up:
                    break
                pause = 0.2
                if retry_after and retry_after.isdigit():
                    pause = min(float(retry_after), 0.5)
                time.sleep(pause)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=self.give_up + 15)

    def errors(self):
        return collections.Counter(a.kind for a in self.attempts if not a.kind.startswith("2"))


def psql(sql, database="parley", timeout=30):
    command = [os.path.join(PG_BINDIR, "psql"), "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1",
               "-h", PG_SOCKDIR, "-p", PG_PORT, "-U", "postgres", "-d", database, "-c", sql]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True).stdout


def check_ledger(load):
    """(lost, duplicated): acknowledged posts missing from the database, and posts (acknowledged
    or not) stored more than once."""
    for _ in range(40):
        try:
            rows = psql("SELECT message_body, count(*) FROM messages WHERE message_body LIKE '%s%%' GROUP BY 1" % load.prefix)
            break
        except (subprocess.SubprocessError, OSError):
            time.sleep(0.5)
    else:
        return None, None
    counts = {}
    for line in rows.splitlines():
        body, _, count = line.rpartition("|")
        counts[body] = int(count)
    lost = sum(1 for key in load.acked if counts.get(key, 0) == 0)
    duplicated = sum(1 for count in counts.values() if count > 1)
    return lost, duplicated


# ---------------------------------------------------------------- health and processes

class Health:
    """Polls /healthz ten times a second on its own connection."""

    def __init__(self):
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        client = Client(timeout=3)
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                status, _, _ = client.request("GET", "/healthz")
            except Exception:  # noqa: BLE001
                status = 0
            self.samples.append((t0, status == 200))
            time.sleep(0.1)

    def recovered_after(self, since, timeout=60):
        """Seconds from `since` to the first 200 that started after it (None if none came)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, ok in list(self.samples):
                if t >= since and ok:
                    return t - since
            time.sleep(0.05)
        return None

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)


def master_pid():
    with open(PIDFILE) as f:
        return int(f.read().strip())


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    return False


def pg_ctl(*args):
    command = PG_CTL + " " + " ".join(args)
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)


def metric(name):
    """A counter summed over its series from /status?openmetrics (through the socket)."""
    _, _, body = fcgi.get(SOCKET, "/status?openmetrics")
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


# ---------------------------------------------------------------- the scenarios

class Result:
    def __init__(self, key, title):
        self.key, self.title = key, title
        self.requests = 0
        self.errors = collections.Counter()
        self.recovery = None
        self.acked = self.lost = self.duplicated = None
        self.problems = []
        self.notes = []
        self.skipped = None

    def take(self, load):
        self.requests += len(load.attempts)
        self.errors += load.errors()
        lost, duplicated = check_ledger(load)
        self.acked = (self.acked or 0) + len(load.acked)
        if lost is None:
            self.problems.append("the ledger could not be checked")
            return
        self.lost = (self.lost or 0) + lost
        self.duplicated = (self.duplicated or 0) + duplicated
        if lost:
            self.problems.append("%d acknowledged messages lost" % lost)
        if duplicated:
            self.problems.append("%d messages stored twice" % duplicated)
        if not load.acked:
            self.problems.append("nothing was acknowledged")
        unexpected = {k: v for k, v in load.errors().items() if k not in TRANSIENT}
        if unexpected:
            self.problems.append("unexpected answers: %s" % ", ".join("%s×%d" % kv for kv in sorted(unexpected.items())))

    def recovered(self, seconds, bound, what="recovery"):
        if seconds is None:
            self.problems.append("%s: /healthz never answered 200 again" % what)
            return
        self.recovery = max(self.recovery or 0, seconds)
        if seconds > bound:
            self.problems.append("%s took %.1f s (bound %.0f s)" % (what, seconds, bound))

    @property
    def held(self):
        return self.skipped is None and not self.problems


class Chaos:
    def __init__(self, args):
        self.args = args
        self.short = args.short
        self.client = Client()
        self.alice = Account("chaos_a_" + RUN)
        self.bob = Account("chaos_b_" + RUN)
        self.alice.register(self.client)
        self.bob.register(self.client)
        status, _, body = self.client.request(
            "POST", "/api/conversations/", {"participant_ids": [self.bob.id], "title": "chaos " + RUN}, self.alice.auth())
        if status != 201:
            raise SystemExit("POST /api/conversations/ answered %d: %s" % (status, body[:300]))
        self.conversation = json.loads(body)["conversation_id"]
        # A second conversation for the row-lock scenario, so that its lock touches nothing else.
        _, _, body = self.client.request(
            "POST", "/api/conversations/", {"participant_ids": [self.bob.id], "title": "locked " + RUN}, self.alice.auth())
        self.locked_conversation = json.loads(body)["conversation_id"]

    def load(self, key, threads=6, conversation=None, rate=None):
        return Load(key, self.alice, conversation or self.conversation, threads, rate=rate).start()

    def steady(self, seconds):
        time.sleep(seconds)

    # a — kill -9 of a worker, then of the master
    def scenario_a(self, r):
        health = Health()
        load = self.load("a")
        try:
            self.steady(2)
            master = master_pid()
            workers = procstat.children(master)
            if not workers:
                r.problems.append("no worker processes found")
                return
            os.kill(workers[0], signal.SIGKILL)
            killed = time.monotonic()
            replaced = wait_for(lambda: len(set(procstat.children(master)) - set(workers)) >= 1
                                and len(procstat.children(master)) == PROCESSES, 5)
            if not replaced:
                r.problems.append("the killed worker was not replaced within 5 s")
            r.recovered(health.recovered_after(killed), 2, "after the worker")
            r.notes.append("worker replaced in %.2f s" % (time.monotonic() - killed) if replaced else "")
            if self.short:
                self.steady(2)
                return
            self.steady(2)
            os.kill(master, signal.SIGKILL)
            killed = time.monotonic()
            if not wait_for(lambda: master_pid() != master and len(procstat.children(master_pid())) == PROCESSES, 20):
                r.problems.append("no new master with its workers within 20 s")
            back = time.monotonic()
            seconds = health.recovered_after(back)
            r.recovered(None if seconds is None else back - killed + seconds, 10, "after the master")
            r.notes.append("master back in %.1f s" % (back - killed))
            self.steady(2)
        finally:
            load.finish()
            health.close()
            r.take(load)

    def _pg_outage(self, r, key, down, bound, wait_down=0.0):
        """Load, then `down` (a pg_ctl action), `wait_down` seconds, `pg_ctl start`."""
        health = Health()
        load = self.load(key)
        try:
            self.steady(2)
            stopped = time.monotonic()
            out = pg_ctl(*down)
            if out.returncode != 0:
                r.problems.append("pg_ctl %s failed: %s" % (" ".join(down), out.stderr.strip()[-200:]))
            time.sleep(wait_down)
            if down[0] != "restart":
                out = pg_ctl("start", "-w", "-t", "60")
                if out.returncode != 0:
                    r.problems.append("pg_ctl start failed: %s" % out.stderr.strip()[-200:])
            up = time.monotonic()
            r.recovered(health.recovered_after(up), bound)
            r.notes.append("PostgreSQL down %.1f s" % (up - stopped))
            self.steady(2)
        finally:
            load.finish()
            health.close()
        # 503 only while it is down: none after recovery (plus a second for each thread's
        # connection to be found broken and reopened).
        late = [a for a in load.attempts if a.kind == "503" and a.t > up + (r.recovery or 0) + 1.0]
        if late:
            r.problems.append("%d answers of 503 after recovery" % len(late))
        missing = [a for a in load.attempts if a.kind == "503" and not a.retry_after]
        if missing:
            r.problems.append("%d answers of 503 without Retry-After" % len(missing))
        if not any(a.kind == "503" for a in load.attempts):
            r.notes.append("no request met the outage")
        r.take(load)
        return load, stopped, up

    # b — PostgreSQL fast restart under load
    def scenario_b(self, r):
        self._pg_outage(r, "b", ("restart", "-m", "fast", "-w", "-t", "60"), 5)

    # c — PostgreSQL crash (immediate stop), then start
    def scenario_c(self, r):
        self._pg_outage(r, "c", ("stop", "-m", "immediate", "-w"), 10)

    # d — PostgreSQL unreachable for 10 s
    def scenario_d(self, r):
        load, stopped, up = self._pg_outage(r, "d", ("stop", "-m", "fast", "-w"), 5, wait_down=10)
        during = [a for a in load.attempts if stopped + 0.5 < a.t < up - 0.5]
        slow = [a for a in during if a.latency > CONNECT_TIMEOUT + 1]
        if slow:
            r.problems.append("%d requests took longer than the connect timeout (%d s) + 1 s" % (len(slow), CONNECT_TIMEOUT))
        refused = sorted(a.latency for a in during if a.kind == "503")
        if refused:
            r.notes.append("503 in %.0f ms (median)" % (1000 * refused[len(refused) // 2]))
        else:
            r.problems.append("no 503 while PostgreSQL was unreachable")

    # e — slowloris against nginx
    def scenario_e(self, r):
        senders, seconds = (200, 8) if self.short else (1000, 25)
        health = Health()
        load = self.load("e", threads=4)
        stop = threading.Event()
        opened = []

        def slowloris():
            for i in range(senders):
                if stop.is_set():
                    return
                try:
                    raw = socket.create_connection((URL.hostname, URL.port), timeout=5)
                    sock = TLS.wrap_socket(raw, server_hostname=URL.hostname)
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    opened.append(sock)
                except OSError:
                    pass
            while not stop.wait(3):
                for sock in list(opened):
                    try:
                        sock.sendall(b"X-Slow-%d: a\r\n" % int(time.monotonic()))
                    except OSError:
                        opened.remove(sock)

        attacker = threading.Thread(target=slowloris, daemon=True)
        probes = []
        try:
            attacker.start()
            self.steady(3)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                t0 = time.monotonic()
                try:
                    probe = Client(timeout=5)
                    status, _, _ = probe.request("GET", "/healthz")
                    probe.close()
                except Exception:  # noqa: BLE001
                    status = 0
                probes.append((time.monotonic() - t0, status))
                time.sleep(0.05)
            r.notes.append("%d slow senders held" % len(opened))
        finally:
            stop.set()
            attacker.join(timeout=10)
            for sock in opened:
                sock.close()
            load.finish()
            health.close()
        latencies = sorted(p[0] for p in probes)
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else None
        failed = sum(1 for p in probes if p[1] != 200)
        r.notes.append("probe p99 %.0f ms over %d" % (1000 * p99, len(probes)) if p99 is not None else "no probes")
        if p99 is None or p99 >= 1.0:
            r.problems.append("probe p99 not under 1 s")
        if failed:
            r.problems.append("%d probes failed" % failed)
        if len(opened) < senders * 0.9:
            r.problems.append("only %d of %d slow senders connected" % (len(opened), senders))
        r.recovery = 0.0
        r.take(load)

    # f — a row lock held by another session
    def scenario_f(self, r):
        health = Health()
        reconnects = metric("parley_database_reconnects_total")
        # Fewer posting threads than parley has threads: a post queued behind the blocked ones
        # would wait for a free thread first, and its latency would no longer measure the lock.
        load = self.load("f", threads=2, conversation=self.locked_conversation)
        hold = 6
        try:
            self.steady(2)
            holder = subprocess.Popen(
                [os.path.join(PG_BINDIR, "psql"), "-X", "-q", "-h", PG_SOCKDIR, "-p", PG_PORT, "-U", "postgres", "-d", "parley",
                 "-c", "BEGIN; SELECT 1 FROM conversations WHERE conversation_id = '%s' FOR UPDATE; SELECT pg_sleep(%d); COMMIT;"
                 % (self.locked_conversation, hold)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            locked = time.monotonic()
            holder.wait(timeout=hold + 30)
            released = time.monotonic()
            r.recovered(health.recovered_after(released), 2)
            self.steady(3)
        finally:
            load.finish()
            health.close()
        during = [a for a in load.attempts if locked < a.t < released]
        refused = [a for a in during if a.kind == "503"]
        if not refused:
            r.problems.append("no 503 while the row was locked")
        slow = [a for a in refused if a.latency > LOCK_TIMEOUT + 1.5]
        if slow:
            r.problems.append("%d answers of 503 came later than the lock timeout + 1.5 s" % len(slow))
        if refused:
            r.notes.append("503 after %.1f s (lock timeout %.1f s)" % (max(a.latency for a in refused), LOCK_TIMEOUT))
        after = [a for a in load.attempts if a.t > released + 0.2]
        if not after or any(not a.kind.startswith("2") for a in after):
            r.problems.append("posts after the lock was released did not all succeed")
        grown = metric("parley_database_reconnects_total") - reconnects
        r.notes.append("database reconnects: %d" % grown)
        if grown:
            r.problems.append("the connections were not reused (%d reconnects)" % grown)
        r.take(load)

    # g — max_connections exhausted by another client
    def scenario_g(self, r):
        health = Health()
        load = self.load("g", threads=4)
        hog = Hog()
        try:
            self.steady(2)
            hog.start()
            if not wait_for(lambda: hog.full, 15):
                r.problems.append("the other client could not fill max_connections")
            # parley's own sessions end (as after a PostgreSQL restart or a pooler recycling
            # them); the other client takes every slot they free.
            psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'parley'", "postgres")
            exhausted = time.monotonic()
            self.steady(6)
            hog.close()
            released = time.monotonic()
            r.recovered(health.recovered_after(released), 5)
            r.notes.append("%d connections held by the other client" % hog.peak)
            self.steady(2)
        finally:
            hog.close()
            load.finish()
            health.close()
        during = [a for a in load.attempts if exhausted < a.t < released]
        refused = [a for a in during if a.kind == "503"]
        if not refused:
            r.problems.append("no 503 while the connections were exhausted")
        slow = [a for a in during if a.latency > CONNECT_TIMEOUT + 1]
        if slow:
            r.problems.append("%d requests hung longer than the connect timeout + 1 s" % len(slow))
        if any(not a.retry_after for a in refused):
            r.problems.append("503 without Retry-After")
        r.take(load)

    # h — the CVE record, then the FastCGI fuzzer, straight at the socket
    def scenario_h(self, r):
        health = Health()
        load = self.load("h", threads=2)
        seconds = self.args.fuzz_seconds
        try:
            before = int(fcgi.status_fields(SOCKET)["worker restarts"])
            for chunks in [[fcgi_fuzz.smuggled_cve(kind)] for kind in fcgi_fuzz.SMUGGLE_KINDS] + [[fcgi.begin() + fcgi_fuzz.cve_params()]]:
                fcgi_fuzz.send_case(SOCKET, chunks, wait=1.0)
            time.sleep(0.5)
            died = int(fcgi.status_fields(SOCKET)["worker restarts"]) - before
            if died:
                r.problems.append("the CVE record (or a variant) killed %d worker(s)" % died)
            # Inside a body the inspector cannot see it and libfcgi aborts: contained, the
            # service answers throughout and the worker is replaced.
            master = master_pid()
            workers = set(procstat.children(master))
            fcgi_fuzz.send_case(SOCKET, [fcgi_fuzz.management_record_in_body()], wait=1.0)
            if not wait_for(lambda: len(procstat.children(master)) == PROCESSES and set(procstat.children(master)) != workers, 15):
                r.problems.append("the worker killed by a management record inside a body was not replaced")
            else:
                r.notes.append("a GET_VALUES inside a body killed its worker (libfcgi; contained)")
            crash_dir = os.path.join(ENV.get("CHAOS_DIR", "/tmp"), "fuzz-crashes")
            out = subprocess.run(
                [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fcgi_fuzz.py"), "--socket", SOCKET,
                 "--seconds", str(seconds), "--seed", str(self.args.seed), "--pid", str(master_pid()),
                 "--crash-dir", crash_dir, "--json"], capture_output=True, text=True, timeout=seconds + 120)
            try:
                result = json.loads(out.stdout)
            except ValueError:
                r.problems.append("the fuzzer failed: %s" % out.stderr.strip()[-300:])
                return
            r.problems += result["problems"]
            if result["worker_restarts"]:
                r.notes.append("%d worker(s) died during the fuzz and were replaced" % result["worker_restarts"])
            r.notes.append("fuzzer: %d cases in %.0f s, %d probes ok" % (result["cases_total"], result["seconds"], result["probes_ok"]))
            if result["before"]:
                r.notes.append("RSS %d→%d KiB, fds %d→%d" % (result["before"]["rss_kib"], result["after"]["rss_kib"],
                                                          result["before"]["fds"], result["after"]["fds"]))
            if result["crash_files"]:
                r.notes.append("cases before a crash: " + ", ".join(result["crash_files"]))
            if any(not ok for t, ok in health.samples):
                r.problems.append("/healthz through nginx failed %d times" % sum(1 for _, ok in health.samples if not ok))
            r.recovery = 0.0
        finally:
            load.finish()
            health.close()
            r.take(load)

    # j — soak at half the measured capacity
    def scenario_j(self, r):
        seconds = self.args.soak_seconds
        probe = self.load("j-capacity", threads=8)
        self.steady(8)
        probe.finish()
        capacity = len(probe.acked) / 8.0
        r.take(probe)
        rate = max(1.0, capacity / 2)
        r.notes.append("capacity %.0f posts/s (this driver, 8 threads), soak at %.0f/s for %.0f s" % (capacity, rate, seconds))
        load = self.load("j", threads=4, rate=rate)
        samples = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < seconds:
                time.sleep(min(5.0, max(0.0, seconds - (time.monotonic() - started))))
                tree = procstat.tree(master_pid())
                connections = int(psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'parley'", "postgres").strip() or 0)
                samples.append((time.monotonic() - started, tree["rss_kib"], tree["fds"], connections))
        finally:
            load.finish()
        r.take(load)
        # The first fifth is warm-up (allocator arenas, prepared statements, kept connections).
        steady = [s for s in samples if s[0] >= seconds / 5]
        rss = slope_per_minute([(t, v) for t, v, _, _ in steady])
        fds = slope_per_minute([(t, v) for t, _, v, _ in steady])
        pg = slope_per_minute([(t, v) for t, _, _, v in steady])
        r.notes.append("slopes per minute: RSS %+.0f KiB, fds %+.2f, PostgreSQL connections %+.2f" % (rss, fds, pg))
        if rss > 2048:
            r.problems.append("RSS grows %.0f KiB a minute" % rss)
        if abs(fds) > 1:
            r.problems.append("open descriptors change %.2f a minute" % fds)
        if abs(pg) > 0.5:
            r.problems.append("PostgreSQL connections change %.2f a minute" % pg)
        r.recovery = 0.0

    # i — schemathesis through nginx (the API issue's script)
    def scenario_i(self, r):
        script = ENV.get("CHAOS_SCHEMATHESIS", "")
        if not script or not os.access(script, os.X_OK):
            r.skipped = "skipped: scripts/schemathesis.sh missing"
            return
        # A user of its own: schemathesis edits, revokes and deletes what its token may.
        tester = Account("chaos_s_" + RUN)
        # Once more on a broken connection: right after scenario h the kept-alive connection
        # may be one nginx closed (the fuzzer's contained worker crash), which is not a finding.
        try:
            tester.register(self.client)
        except (OSError, ConnectionError):
            time.sleep(1)
            tester.register(self.client)
        environment = dict(ENV, SCHEMATHESIS_BASE_URL=ENV["CHAOS_URL"], SCHEMATHESIS_TOKEN=tester.auth()["Authorization"][7:],
                           SCHEMATHESIS_MAX_EXAMPLES=ENV.get("CHAOS_SCHEMATHESIS_EXAMPLES", "25"),
                           SCHEMATHESIS_SEED=str(self.args.seed))
        started = time.monotonic()
        try:
            # In the run's temp dir: schemathesis leaves a cache (.schemathesis/) where it runs.
            out = subprocess.run([script], env=environment, capture_output=True, text=True, timeout=900,
                                 cwd=ENV.get("CHAOS_DIR") or None)
        except subprocess.TimeoutExpired:
            r.problems.append("schemathesis ran past 15 minutes")
            return
        r.notes.append("schemathesis %.0f s" % (time.monotonic() - started))
        # Its whole report in the run's directory, and its end on stderr when it found something.
        with open(os.path.join(ENV.get("CHAOS_DIR", "/tmp"), "schemathesis.log"), "w") as f:
            f.write(out.stdout + out.stderr)
        if out.returncode != 0:
            log("schemathesis found something; the end of its report:\n" + "\n".join((out.stdout + out.stderr).splitlines()[-80:]))
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip("= ") for line in (out.stdout + out.stderr).splitlines()]
        summary = [line for line in lines if re.search(r"\d+ (failures?|errors?|passed)", line)] or lines[-1:]
        if out.returncode != 0:
            r.problems.append("schemathesis exited %d: %s" % (out.returncode, (summary[-1] if summary else "")[:200]))
        elif summary:
            r.notes.append(summary[-1][:200])


def slope_per_minute(samples):
    """Least-squares slope of (seconds, value) samples, per minute."""
    n = len(samples)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return 60 * sum((t - mt) * (v - mv) for t, v in samples) / var if var else 0.0


class Hog:
    """Another client that takes every connection PostgreSQL will give it (role parley, the
    wire protocol's start-up only) and keeps taking the ones that free up."""

    def __init__(self):
        self.socks = []
        self.stop = threading.Event()
        self.full = False
        self.peak = 0
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.connect(os.path.join(PG_SOCKDIR, ".s.PGSQL.%s" % PG_PORT))
            params = b"user\0parley\0database\0parley\0application_name\0chaos-hog\0\0"
            sock.sendall(struct.pack(">ii", 8 + len(params), 196608) + params)
            data = b""
            while not data.startswith(b"E") and b"Z\0\0\0\x05" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"R") and b"Z\0\0\0\x05" in data:
                return sock
        except OSError:
            pass
        sock.close()
        return None

    def run(self):
        failures = 0
        while not self.stop.is_set():
            sock = self.connect()
            if sock is not None:
                self.socks.append(sock)
                self.peak = max(self.peak, len(self.socks))
                failures = 0
            else:
                failures += 1
                if failures >= 3:
                    self.full = True
                time.sleep(0.01)

    def close(self):
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=10)
        for sock in self.socks:
            sock.close()
        self.socks = []


SCENARIOS = [
    ("a", "kill -9 of a worker, then of the master"),
    ("b", "PostgreSQL fast restart under load"),
    ("c", "PostgreSQL crash (stop -m immediate), then start"),
    ("d", "PostgreSQL unreachable for 10 s"),
    ("e", "slowloris: 1,000 slow header senders against nginx"),
    ("f", "a row lock held by another session"),
    ("g", "max_connections exhausted by another client"),
    ("h", "CVE-2025-23016 record + FastCGI fuzzer"),
    ("i", "schemathesis through nginx"),
    ("j", "soak at half the measured capacity"),
]
SHORT = ["a", "b", "h"]


def table(results, short):
    lines = [
        "| # | fault or attack | requests | errors by kind | recovery | acknowledged | lost | duplicated | verdict |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        title = "kill -9 of a worker (the short run spares the master)" if short and r.key == "a" else r.title
        errors = ", ".join("%s×%d" % kv for kv in sorted(r.errors.items())) or "none"
        recovery = "%.2f s" % r.recovery if r.recovery is not None else "—"
        if r.skipped:
            verdict = r.skipped
        else:
            verdict = "held" if r.held else "NOT HELD: " + "; ".join(r.problems)
        notes = "; ".join(n for n in r.notes if n)
        if notes:
            verdict += " (" + notes + ")"

        def num(v):
            return "—" if v is None else str(v)
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (
            r.key, title, r.requests, errors, recovery, num(r.acked), num(r.lost), num(r.duplicated), verdict))
    held = sum(1 for r in results if r.held)
    lines.append("")
    lines.append("chaos: %d/%d scenarios held" % (held, len(results)))
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description="Parley's chaos scenarios against a running stack (see scripts/chaos.sh)")
    p.add_argument("--short", action="store_true", help="the make-test subset: a (worker only), b, h (short fuzz)")
    p.add_argument("--seed", type=int, default=int(ENV.get("CHAOS_SEED", "1")))
    p.add_argument("--fuzz-seconds", type=float, default=None)
    p.add_argument("--soak-seconds", type=float, default=float(ENV.get("CHAOS_SOAK", "300")))
    args = p.parse_args()
    if args.fuzz_seconds is None:
        args.fuzz_seconds = float(ENV.get("CHAOS_FUZZ_SECONDS", "15" if args.short else "300"))
    wanted = ENV.get("CHAOS_SCENARIOS", "").split() or (SHORT if args.short else [k for k, _ in SCENARIOS])
    chaos = Chaos(args)
    results = []
    started = time.monotonic()
    for key, title in SCENARIOS:
        if key not in wanted or (key == "j" and args.soak_seconds <= 0):
            continue
        r = Result(key, title)
        log("scenario %s: %s" % (key, title))
        t0 = time.monotonic()
        try:
            getattr(chaos, "scenario_" + key)(r)
        except Exception as error:  # noqa: BLE001 — one broken scenario must not hide the others
            r.problems.append("the scenario failed: %s: %s" % (type(error).__name__, error))
        log("scenario %s: %s in %.0f s" % (key, "held" if r.held else (r.skipped or "NOT HELD: " + "; ".join(r.problems)),
                                           time.monotonic() - t0))
        results.append(r)
        # Every scenario starts on a healthy stack.
        health = Health()
        health.recovered_after(time.monotonic(), 60)
        health.close()
    text = table(results, args.short)
    text_with_header = "Parley chaos run %s (%s, %.0f s)\n\n%s\n" % (
        RUN, "short" if args.short else "full", time.monotonic() - started, text)
    print(text_with_header)
    out = ENV.get("CHAOS_OUT")
    if out:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write(text_with_header)
    sys.exit(0 if all(r.held for r in results) else 1)


if __name__ == "__main__":
    main()
