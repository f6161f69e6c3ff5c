#!/usr/bin/env python3
"""A FastCGI record fuzzer, straight at one parley's socket (Python 3 stdlib only).

It writes, on a new connection each, valid requests and mutated ones: record headers with other
versions, types, request ids, lengths and padding; random bit flips; truncated requests;
requests split across many small writes; random records and garbage; thousands of params; huge
names and values around and far past the limits (CVE-2025-23016's 0x7ffffffe lengths among
them), also smuggled behind other records; management records; bodies that lie about their
length. Meanwhile it probes /ping on the same socket and reads /status, so that a worker
that dies is seen: the cases sent in the seconds before are written to --crash-dir, and
`--replay FILE` sends one such case again.

    chaos/fcgi_fuzz.py --socket PATH [--seconds 300] [--seed N] [--pid MASTER_PID] [--json]

Exit status 0 when the service stayed up (every probe answered) and (with --pid) memory and
descriptors stayed flat (with --strict: and no worker died); 1 otherwise.
"""

import argparse
import collections
import json
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402
import procstat  # noqa: E402

# parley's limits (FastCGIServer.Configuration): 1,000 params, 64 KiB of them.
MAX_PARAMS = 1000
MAX_PARAM_BYTES = 64 * 1024
CVE_LENGTH = 0x7FFFFFFE
URIS = ["/healthz", "/ping", "/status", "/api/conversations/", "/api/token/", "/", "/login",
        "/api/messages/?page=9223372036854775807", "/%00", "/" + "a" * 5000]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "", "G\x00T"]


def valid(rng, keep=False, request_id=1):
    method = rng.choice(METHODS[:7])
    body = b'{"username":"x","password":"y"}' if method in ("POST", "PUT", "PATCH") and rng.random() < 0.5 else b""
    headers = {"Content-Type": "application/json"} if body else {}
    return fcgi.request_bytes(method, rng.choice(URIS), headers, body, request_id, keep)


def records_of(data):
    """Splits well-formed bytes into records (header offset, total length)."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        n = (data[pos + 4] << 8) | data[pos + 5]
        total = 8 + n + data[pos + 6]
        out.append((pos, total))
        pos += total
    return out


def cve_params(request_id=1):
    content = fcgi.length_bytes(CVE_LENGTH) + fcgi.length_bytes(CVE_LENGTH) + b"A" * 56
    return fcgi.record(fcgi.PARAMS, request_id, content) + fcgi.record(fcgi.PARAMS, request_id, b"")


# ---------------------------------------------------------------- the cases
# Each returns a list of chunks: written one write each (with a short pause between them).

def case_valid(rng):
    return [valid(rng)]


def case_header_field(rng):
    data = bytearray(valid(rng))
    offset, _ = rng.choice(records_of(bytes(data)))
    field = rng.choice(["version", "type", "id", "length", "padding", "reserved"])
    if field == "version":
        data[offset] = rng.choice([0, 2, 255, rng.randrange(256)])
    elif field == "type":
        data[offset + 1] = rng.choice([0, 2, 3, 6, 7, 8, 9, 10, 11, 12, 255, rng.randrange(256)])
    elif field == "id":
        rid = rng.choice([0, 2, 0xFFFF, rng.randrange(65536)])
        data[offset + 2:offset + 4] = rid.to_bytes(2, "big")
    elif field == "length":
        n = rng.choice([0, 1, 0xFFFF, rng.randrange(65536)])
        data[offset + 4:offset + 6] = n.to_bytes(2, "big")
    elif field == "padding":
        data[offset + 6] = rng.choice([1, 7, 255, rng.randrange(256)])
    else:
        data[offset + 7] = rng.randrange(1, 256)
    return [bytes(data)]


def case_bitflip(rng):
    data = bytearray(valid(rng))
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return [bytes(data)]


def case_truncated(rng):
    data = valid(rng)
    return [data[:rng.randrange(1, len(data))]]


def case_split(rng):
    data = valid(rng) if rng.random() < 0.7 else case_header_field(rng)[0]
    chunks, pos = [], 0
    while pos < len(data):
        n = rng.choice([1, 1, 2, 3, 7, 8, 9, 64, 500])
        chunks.append(data[pos:pos + n])
        pos += n
    return chunks


def case_random_records(rng):
    out = b""
    if rng.random() < 0.5:
        out += fcgi.begin(rng.choice([0, 1, rng.randrange(65536)]), rng.random() < 0.5)
    for _ in range(rng.randint(1, 10)):
        content = os.urandom(rng.choice([0, 1, 8, 100, 4096]))
        out += fcgi.record(rng.randrange(256), rng.choice([0, 1, rng.randrange(65536)]), content, rng.choice([0, 0, 3, 255]))
    return [out]


def case_garbage(rng):
    return [os.urandom(rng.choice([1, 7, 8, 9, 100, 4096]))]


def case_many_params(rng):
    count = rng.choice([MAX_PARAMS - 20, MAX_PARAMS - 7, MAX_PARAMS + 1, 2000, 5000, 20000])
    params = fcgi.request_params(rng.choice(["GET", "POST"]), rng.choice(URIS))
    params += [("HTTP_X_%d" % i, "v") for i in range(max(0, count - len(params)))]
    content = b"".join(fcgi.pair(n, v) for n, v in params)
    return [fcgi.begin() + fcgi.stream(fcgi.PARAMS, 1, content, rng.choice([65535, 8192, 100])) + fcgi.stream(fcgi.STDIN, 1, b"")]


def case_huge_pair(rng):
    """A name or value of a size around the limit (really there), or a length that lies."""
    base = b"".join(fcgi.pair(n, v) for n, v in fcgi.request_params("GET", "/healthz"))
    size = rng.choice([MAX_PARAM_BYTES - len(base) - 40, MAX_PARAM_BYTES - 1, MAX_PARAM_BYTES, MAX_PARAM_BYTES + 1,
                       200_000, 1 << 20])
    name, value = (b"HTTP_X_BIG", b"v" * size) if rng.random() < 0.5 else (b"N" * size, b"v")
    if rng.random() < 0.5:
        content = base + fcgi.pair(name, value)
    else:
        # The length says more (or less) than follows.
        claimed = rng.choice([CVE_LENGTH, 0x7FFFFFFF, 0x40000000, 0xFFFFFFFF, MAX_PARAM_BYTES + 1, 128, 0x80])
        payload = os.urandom(rng.choice([0, 10, 1000]))
        lengths = (fcgi.length_bytes(claimed), fcgi.length_bytes(len(payload))) if rng.random() < 0.5 else (
            fcgi.length_bytes(len(payload)), fcgi.length_bytes(claimed))
        content = base + lengths[0] + lengths[1] + payload
    return [fcgi.begin() + fcgi.stream(fcgi.PARAMS, 1, content, rng.choice([65535, 4096])) + fcgi.stream(fcgi.STDIN, 1, b"")]


def case_cve(rng):
    return [fcgi.begin() + cve_params()]


def smuggled_cve(kind):
    """The CVE record behind a record that the peeking check might stop at."""
    before = {
        "unknown-mgmt": fcgi.record(11, 0, b"\0" * 8),
        "random-mgmt": fcgi.record(200, 0, b"xyz"),
        "get-values": fcgi.record(fcgi.GET_VALUES, 0, fcgi.pair("FCGI_MPXS_CONNS", "")),
        "values-result": fcgi.record(fcgi.GET_VALUES_RESULT, 0, b""),
        "other-id-stdin": fcgi.record(fcgi.STDIN, 2, b"abc"),
        "other-id-params": fcgi.record(fcgi.PARAMS, 2, fcgi.pair("A", "B")),
        "other-id-data": fcgi.record(fcgi.DATA, 7, b"abc"),
        "abort-other-id": fcgi.record(fcgi.ABORT_REQUEST, 3, b""),
        "second-begin": fcgi.begin(2),
    }[kind]
    return fcgi.begin() + before + cve_params()


def management_record_in_body():
    """A GET_VALUES record with the CVE lengths between two STDIN records of a request: after
    the params, where parley's inspector does not look and libfcgi still parses it."""
    params = b"".join(fcgi.pair(n, v) for n, v in fcgi.request_params(
        "POST", "/api/token/", {"Content-Type": "application/json"}, content_length=10))
    crafted = fcgi.length_bytes(CVE_LENGTH) + fcgi.length_bytes(CVE_LENGTH) + b"A" * 56
    return (fcgi.begin() + fcgi.stream(fcgi.PARAMS, 1, params) + fcgi.record(fcgi.STDIN, 1, b"01234")
            + fcgi.record(fcgi.GET_VALUES, 0, crafted) + fcgi.record(fcgi.STDIN, 1, b"56789") + fcgi.record(fcgi.STDIN, 1, b""))


SMUGGLE_KINDS = ["unknown-mgmt", "random-mgmt", "get-values", "values-result", "other-id-stdin",
                 "other-id-params", "other-id-data", "abort-other-id", "second-begin"]


def case_cve_smuggled(rng):
    return [smuggled_cve(rng.choice(SMUGGLE_KINDS))]


def case_get_values(rng):
    names = [b"FCGI_MAX_CONNS", b"FCGI_MAX_REQS", b"FCGI_MPXS_CONNS", os.urandom(rng.choice([1, 100, 5000]))]
    content = b"".join(fcgi.pair(rng.choice(names), b"") for _ in range(rng.randint(1, 20)))
    if rng.random() < 0.3:
        content += fcgi.length_bytes(rng.choice([CVE_LENGTH, 0xFFFF, 0x7FFFFFFF])) + b"\0"
    return [fcgi.record(fcgi.GET_VALUES, 0, content[:65535])]


def case_abort(rng):
    params = b"".join(fcgi.pair(n, v) for n, v in fcgi.request_params("GET", "/healthz"))
    return [fcgi.begin() + fcgi.record(fcgi.PARAMS, 1, params), fcgi.record(fcgi.ABORT_REQUEST, 1), fcgi.record(fcgi.PARAMS, 1)]


def case_pipelined(rng):
    """Kept connection: two good requests, then a mutated one."""
    return [valid(rng, keep=True), valid(rng, keep=True, request_id=rng.choice([1, 2, 9])), case_bitflip(rng)[0]]


def case_body_lies(rng):
    claimed = rng.choice(["-1", "9223372036854775808", "1e30", "100", "0", "18446744073709551615", "", "10485761", " 5"])
    params = fcgi.request_params("POST", "/api/token/", {"Content-Type": "application/json"})
    params.append(("CONTENT_LENGTH", claimed))
    content = b"".join(fcgi.pair(n, v) for n, v in params)
    body = b'{"username":"a","password":"b"}' * rng.choice([0, 1, 3])
    return [fcgi.begin() + fcgi.stream(fcgi.PARAMS, 1, content) + fcgi.stream(fcgi.STDIN, 1, body)]


CASES = {
    "valid": (case_valid, 3), "header-field": (case_header_field, 6), "bitflip": (case_bitflip, 5),
    "truncated": (case_truncated, 3), "split-writes": (case_split, 3), "random-records": (case_random_records, 4),
    "garbage": (case_garbage, 2), "many-params": (case_many_params, 1), "huge-pair": (case_huge_pair, 2),
    "cve": (case_cve, 1), "cve-smuggled": (case_cve_smuggled, 2), "get-values": (case_get_values, 2),
    "abort": (case_abort, 1), "pipelined": (case_pipelined, 2), "body-lies": (case_body_lies, 2),
}


# ---------------------------------------------------------------- sending

def send_case(path, chunks, wait=0.3):
    """Writes the chunks, reads for up to `wait` seconds, closes. Returns how it ended:
    'answered' (an END_REQUEST came), 'closed' (by parley), 'timeout' (still open: we close) or
    'refused' (could not connect)."""
    try:
        sock = fcgi.connect(path, timeout=2)
    except OSError:
        return "refused"
    try:
        for i, chunk in enumerate(chunks):
            if i:
                time.sleep(0.0005)
            sock.sendall(chunk)
        records, ended = fcgi.read_records(sock, deadline=time.monotonic() + wait)
        if ended == "end":
            return "answered"
        return "closed" if ended == "eof" else "timeout"
    except OSError:
        return "closed"
    finally:
        sock.close()


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.stats = collections.defaultdict(collections.Counter)
        self.recent = collections.deque(maxlen=400)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.probes = collections.Counter()
        self.probe_max = 0.0
        self.probe_failures = []
        self.restarts = []
        self.crash_files = []

    def worker(self, index):
        rng = random.Random(self.args.seed * 1000 + index)
        names = list(CASES)
        weights = [CASES[n][1] for n in names]
        while not self.stop.is_set():
            name = rng.choices(names, weights)[0]
            chunks = CASES[name][0](rng)
            with self.lock:
                self.recent.append((time.monotonic(), name, chunks))
            outcome = send_case(self.args.socket, chunks)
            with self.lock:
                self.stats[name][outcome] += 1

    def monitor(self, start):
        """Probes /ping (the worker answers it without the database) twice a second and reads
        /status each second."""
        last_restarts = None
        tick = 0
        while not self.stop.wait(0.5):
            t0 = time.monotonic()
            try:
                status, _, _ = fcgi.get(self.args.socket, "/ping", timeout=3)
                ok = status == 200
            except OSError:
                ok = False
            took = time.monotonic() - t0
            self.probe_max = max(self.probe_max, took)
            self.probes["ok" if ok else "failed"] += 1
            if not ok:
                self.probe_failures.append(round(t0 - start, 1))
            tick += 1
            if tick % 2:
                continue
            try:
                restarts = int(fcgi.status_fields(self.args.socket).get("worker restarts", "0"))
            except (OSError, ValueError):
                continue
            if last_restarts is not None and restarts > last_restarts:
                self.restarts.append(round(t0 - start, 1))
                self.dump_recent(t0)
            last_restarts = restarts

    def dump_recent(self, now):
        if not self.args.crash_dir:
            return
        os.makedirs(self.args.crash_dir, exist_ok=True)
        with self.lock:
            window = [(t, n, c) for t, n, c in self.recent if now - t < 3.0]
        path = os.path.join(self.args.crash_dir, "crash-%d.jsonl" % len(self.crash_files))
        with open(path, "w") as f:
            for _, name, chunks in window:
                f.write(json.dumps({"case": name, "chunks": [c.hex() for c in chunks]}) + "\n")
        self.crash_files.append(path)

    def run(self):
        start = time.monotonic()
        before = after = None
        restarts_before = restarts_after = None
        try:
            restarts_before = int(fcgi.status_fields(self.args.socket).get("worker restarts", "0"))
        except (OSError, ValueError):
            pass
        threads = [threading.Thread(target=self.worker, args=(i,), daemon=True) for i in range(self.args.concurrency)]
        threads.append(threading.Thread(target=self.monitor, args=(start,), daemon=True))
        for t in threads:
            t.start()
        warmup = min(10.0, self.args.seconds / 4)
        samples = []
        while time.monotonic() - start < self.args.seconds:
            time.sleep(min(1.0, max(0.0, self.args.seconds - (time.monotonic() - start))))
            if self.args.pid and time.monotonic() - start >= warmup:
                samples.append(procstat.tree(self.args.pid))
        self.stop.set()
        for t in threads:
            t.join(timeout=10)
        time.sleep(0.5)
        try:
            restarts_after = int(fcgi.status_fields(self.args.socket).get("worker restarts", "0"))
        except (OSError, ValueError):
            pass
        if self.args.pid:
            after = procstat.tree(self.args.pid)
            before = samples[0] if samples else after
        cases = {name: dict(counter) for name, counter in sorted(self.stats.items())}
        total = sum(sum(c.values()) for c in self.stats.values())
        died = (restarts_after or 0) - (restarts_before or 0) if restarts_before is not None and restarts_after is not None else None
        result = {
            "seconds": round(time.monotonic() - start, 1), "seed": self.args.seed, "cases_total": total, "cases": cases,
            "probes_ok": self.probes["ok"], "probes_failed": self.probes["failed"],
            "probe_failures_at": self.probe_failures[:20], "probe_max_seconds": round(self.probe_max, 3),
            "worker_restarts": died, "restarts_seen_at": self.restarts, "crash_files": self.crash_files,
            "before": before, "after": after,
        }
        problems = []
        if self.probes["failed"]:
            problems.append("%d /ping probes failed" % self.probes["failed"])
        # A worker that dies is a finding (its cases are in --crash-dir), but the bar is the
        # issue's: the service stays up (the probes) and memory and descriptors stay flat. With
        # --strict any death fails the run.
        if died and self.args.strict:
            problems.append("%d worker processes died" % died)
        if died is None:
            problems.append("could not read /status")
        if before and after:
            # Flat: at most 16 MiB or 25 % more memory, and at most 8 more descriptors (a few
            # kept connections may be open at the instant of the sample).
            if after["rss_kib"] > before["rss_kib"] + max(16 * 1024, before["rss_kib"] // 4):
                problems.append("RSS grew from %d to %d KiB" % (before["rss_kib"], after["rss_kib"]))
            if after["fds"] > before["fds"] + 8:
                problems.append("open descriptors grew from %d to %d" % (before["fds"], after["fds"]))
            if after["processes"] != before["processes"]:
                problems.append("processes: %d, then %d" % (before["processes"], after["processes"]))
        result["problems"] = problems
        return result


def replay(args):
    """Sends each case of a crash file alone; reports which one cost a worker."""
    found = 0
    with open(args.replay) as f:
        for line in f:
            entry = json.loads(line)
            before = int(fcgi.status_fields(args.socket).get("worker restarts", "0"))
            send_case(args.socket, [bytes.fromhex(c) for c in entry["chunks"]])
            time.sleep(0.3)
            after = int(fcgi.status_fields(args.socket).get("worker restarts", "0"))
            if after > before:
                found += 1
                print("kills a worker: %s %s" % (entry["case"], entry["chunks"][0][:160]))
    print("%d case(s) killed a worker" % found)
    return 1 if found else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--socket", required=True, help="parley's FastCGI unix socket")
    p.add_argument("--seconds", type=float, default=float(os.environ.get("CHAOS_FUZZ_SECONDS", 300)))
    p.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", 1)))
    p.add_argument("--concurrency", type=int, default=2, help="connections at once (keep below parley's threads)")
    p.add_argument("--pid", type=int, help="the master's pid: RSS and descriptors of it and its workers are sampled")
    p.add_argument("--crash-dir", help="where the cases sent just before a worker died are written")
    p.add_argument("--replay", help="a crash file: send its cases one at a time")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--strict", action="store_true", help="fail when any worker dies, even if the service stayed up")
    args = p.parse_args()
    if args.replay:
        sys.exit(replay(args))
    result = Fuzzer(args).run()
    if args.json:
        print(json.dumps(result))
    else:
        print("fuzzed %.0f s: %d cases, /ping probes %d ok / %d failed (slowest %.3f s), worker restarts %s" % (
            result["seconds"], result["cases_total"], result["probes_ok"], result["probes_failed"],
            result["probe_max_seconds"], result["worker_restarts"]))
        for name, counts in result["cases"].items():
            print("  %-15s %s" % (name, " ".join("%s=%d" % kv for kv in sorted(counts.items()))))
        if result["before"]:
            print("  master+workers: RSS %d -> %d KiB, fds %d -> %d" % (
                result["before"]["rss_kib"], result["after"]["rss_kib"], result["before"]["fds"], result["after"]["fds"]))
        for problem in result["problems"]:
            print("  PROBLEM: " + problem)
    sys.exit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
