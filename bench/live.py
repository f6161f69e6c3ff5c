#!/usr/bin/env python3
"""Live updates (issue 14): an asyncio client for Parley's server-sent events, and the bench.

wrk cannot hold SSE streams, so this is a small client on asyncio streams (standard library
only): HTTP/1.1 over TLS to nginx, chunked or not, SSE parsed as the browser does, and a
reconnect with Last-Event-ID like EventSource's. bench/live.sh starts a stack and runs
`bench/live.py bench`; the browser test (Tests/Browser/live_test.py) imports the client.

    bench/live.py bench --url https://127.0.0.1:PORT --user U --password P
        [--idle 5000] [--fanout 1000] [--rounds 20] [--nginx-pid N]

Rows printed (Markdown), each measured in this run:
  - idle: subscribers held, parley's busy workers (from /status) while they are held,
    nginx's RSS (master + workers) before and with them;
  - fanout: at N subscribers on one conversation, the time from each POST's response to the
    event's arrival at every subscriber, p50 / p99 / max over rounds x subscribers.
"""
import argparse
import asyncio
import json
import os
import random
import ssl
import statistics
import sys
import time
import urllib.parse

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


# ---------------------------------------------------------------------------- HTTP


def split_url(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), parts.scheme == "https"


async def read_head(reader):
    """Status and headers (lower-case names) of an HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def read_body(reader, headers):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        async for chunk in chunks(reader):
            body += chunk
        return body
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    return await reader.read()


async def chunks(reader):
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return
        data = await reader.readexactly(size)
        await reader.readexactly(2)
        yield data


async def request(base, method, path, headers=None, body=None):
    """One request on its own connection: (status, headers, body bytes)."""
    host, port, secure = split_url(base)
    reader, writer = await asyncio.open_connection(host, port, ssl=TLS if secure else None)
    try:
        payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body is not None:
            if not any(n.lower() == "content-type" for n in (headers or {})):
                lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(payload)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        status, response_headers = await read_head(reader)
        data = await read_body(reader, response_headers)
        return status, response_headers, data
    finally:
        writer.close()


async def token(base, username, password):
    status, _, body = await request(base, "POST", "/api/token/", body={"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"POST /api/token/ as {username}: {status} {body[:200]!r}")
    return json.loads(body)["access"]


async def post_message(base, access, conversation, text):
    status, _, body = await request(
        base, "POST", f"/api/conversations/{conversation}/messages/",
        headers={"Authorization": f"Bearer {access}"}, body={"message_body": text})
    if status != 201:
        raise RuntimeError(f"posting: {status} {body[:200]!r}")
    return json.loads(body)


# ---------------------------------------------------------------------------- SSE


class Subscriber:
    """One EventSource-like stream. `events` collects (name, data dict, monotonic time);
    `statuses` every status the server answered; reconnects (after EOF or a non-200) with
    Last-Event-ID, like a browser, until stop()."""

    def __init__(self, base, path, headers=None, reconnect=True, on_event=None):
        self.base = base
        self.path = path
        self.headers = dict(headers or {})
        self.reconnect = reconnect
        self.on_event = on_event
        self.events = []
        self.statuses = []
        self.last_event_id = None
        self.connected = asyncio.Event()
        self.connections = 0
        self._task = None
        self._writer = None
        self._stopped = False

    def start(self):
        self._task = asyncio.ensure_future(self.run())
        return self

    async def stop(self):
        self._stopped = True
        if self._writer:
            self._writer.close()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def run(self):
        delay = 0.2
        while not self._stopped:
            try:
                await self._once()
                delay = 0.2
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            self.connected.clear()
            if not self.reconnect or self._stopped:
                return
            # EventSource waits about a few seconds; spread the storm a little.
            await asyncio.sleep(delay + random.random() * 0.3)
            delay = min(delay * 2, 2.0)

    async def _once(self):
        host, port, secure = split_url(self.base)
        reader, writer = await asyncio.open_connection(host, port, ssl=TLS if secure else None, limit=1 << 20)
        self._writer = writer
        try:
            lines = [f"GET {self.path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream", "Cache-Control: no-cache"]
            for name, value in self.headers.items():
                lines.append(f"{name}: {value}")
            if self.last_event_id:
                lines.append(f"Last-Event-ID: {self.last_event_id}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()
            status, headers = await read_head(reader)
            self.statuses.append(status)
            if status != 200:
                await read_body(reader, headers)
                return
            self.connections += 1
            self.connected.set()
            source = chunks(reader) if headers.get("transfer-encoding", "").lower() == "chunked" else plain(reader)
            await self._parse(source)
        finally:
            writer.close()

    async def _parse(self, source):
        buffer = b""
        name, data, event_id = "message", [], None
        async for piece in source:
            buffer += piece
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                line = raw.rstrip(b"\r").decode("utf-8", "replace")
                if line == "":
                    if data:
                        if event_id is not None:
                            self.last_event_id = event_id
                        self._deliver(name, "\n".join(data))
                    name, data, event_id = "message", [], None
                elif line.startswith(":"):
                    continue
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
                    elif field == "id":
                        event_id = value

    def _deliver(self, name, text):
        now = time.monotonic()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = {"raw": text}
        self.events.append((name, payload, now))
        if self.on_event:
            self.on_event(self, name, payload, now)

    def message_ids(self, name=None):
        return [p.get("message_id") for n, p, _ in self.events if name is None or n == name]


async def plain(reader):
    while True:
        data = await reader.read(65536)
        if not data:
            return
        yield data


async def subscribe_many(base, path, headers, count, batch=200, timeout=60):
    """`count` subscribers, opened `batch` at a time; returns them once all are connected."""
    subscribers = []
    for start in range(0, count, batch):
        group = [Subscriber(base, path, headers).start() for _ in range(min(batch, count - start))]
        await asyncio.wait_for(asyncio.gather(*(s.connected.wait() for s in group)), timeout)
        subscribers.extend(group)
    return subscribers


# ---------------------------------------------------------------------------- measuring


def process_rss(pid):
    """RSS in bytes of pid and its children (nginx's master and workers)."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


async def parley_status(base):
    status, _, body = await request(base, "GET", "/status?json")
    if status != 200:
        raise RuntimeError(f"/status answered {status}")
    return json.loads(body)


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


async def bench(args):
    base = args.url.rstrip("/")
    access = await token(base, args.user, args.password)
    auth = {"Authorization": f"Bearer {access}"}
    status, _, body = await request(base, "GET", "/api/users/me/", headers=auth)
    me = json.loads(body)["user_id"]
    status, _, body = await request(base, "POST", "/api/conversations/", headers=auth,
                                    body={"participant_ids": [], "title": "live bench"})
    if status != 201:
        raise RuntimeError(f"creating the bench conversation: {status} {body[:200]!r}")
    conversation = json.loads(body)["conversation_id"]
    rows = []

    # Idle subscribers: how many parley workers they hold, and what they cost nginx.
    rss_before = process_rss(args.nginx_pid) if args.nginx_pid else 0
    started = time.monotonic()
    idle = await subscribe_many(base, f"/api/users/{me}/events/", auth, args.idle)
    ramp = time.monotonic() - started
    await asyncio.sleep(2)
    busy = []
    for _ in range(5):
        figures = await parley_status(base)
        # The status request itself is one active worker.
        busy.append(figures["active processes"] - 1)
        await asyncio.sleep(0.5)
    rss_with = process_rss(args.nginx_pid) if args.nginx_pid else 0
    held = sum(1 for s in idle if s.connected.is_set())
    rows.append(("idle subscribers held", f"{held:,}", f"subscribed in {ramp:.1f} s (one check in parley each)"))
    rows.append(("parley workers busy while they are held", f"{max(busy)}", f"/status `active processes` minus the status request, 5 samples: {busy}"))
    if args.nginx_pid:
        per = (rss_with - rss_before) / max(1, held) / 1024
        rows.append(("nginx RSS (master + workers)", f"{rss_before / 2**20:.1f} → {rss_with / 2**20:.1f} MB",
                     f"≈{per:.1f} KiB per subscriber"))
    for s in idle:
        await s.stop()

    # Fan-out: one conversation, N subscribers, a POST per round.
    # Arrivals are noted as the client parses them (a scan of every subscriber's events in
    # the loop would itself delay the reads it measures).
    arrivals_by_message = {}

    def note(subscriber, name, payload, at):
        if name == "message.created":
            arrivals_by_message.setdefault(payload.get("message_id"), {})[id(subscriber)] = at

    subscribers = []
    for start in range(0, args.fanout, 200):
        group = [Subscriber(base, f"/api/conversations/{conversation}/events/", auth, on_event=note).start()
                 for _ in range(min(200, args.fanout - start))]
        await asyncio.wait_for(asyncio.gather(*(s.connected.wait() for s in group)), 60)
        subscribers.extend(group)
    await asyncio.sleep(1)
    latencies = []
    post_times = []
    missing = 0
    for round_number in range(args.rounds):
        sent = time.monotonic()
        message = await post_message(base, access, conversation, f"bench round {round_number} " + "x" * 150)
        answered = time.monotonic()
        post_times.append(answered - sent)
        wanted = message["message_id"]
        deadline = answered + 5
        while time.monotonic() < deadline and len(arrivals_by_message.get(wanted, {})) < len(subscribers):
            await asyncio.sleep(0.05)
        arrivals = arrivals_by_message.get(wanted, {})
        missing += len(subscribers) - len(arrivals)
        latencies += [(at - answered) * 1000 for at in arrivals.values()]
        await asyncio.sleep(0.2)
    for s in subscribers:
        await s.stop()
    rows.append((f"delivery at {args.fanout:,} subscribers, after the POST's response",
                 f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms",
                 f"max {max(latencies):.1f} ms; {args.rounds} posts; missing {missing}; POST round trip p50 "
                 f"{statistics.median(post_times) * 1000:.1f} ms"))

    print("| live | figure | notes |")
    print("| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0 if missing == 0 and max(busy) == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--url", required=True)
    b.add_argument("--user", required=True)
    b.add_argument("--password", required=True)
    b.add_argument("--idle", type=int, default=5000)
    b.add_argument("--fanout", type=int, default=1000)
    b.add_argument("--rounds", type=int, default=20)
    b.add_argument("--nginx-pid", type=int, default=0)
    args = parser.parse_args()
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
