"""FastCGI records, written by hand (Python stdlib only), for the chaos suite and the fuzzer.

Only what a client needs: encode records and name-value pairs, send a request, read a
response. Deliberately permissive: every field can be given any value, so that the fuzzer can
write records a well-behaved client never would.
"""

import socket
import struct
import time

BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR, DATA = 1, 2, 3, 4, 5, 6, 7, 8
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
RESPONDER = 1
KEEP_CONN = 1


def record(rtype, request_id, content=b"", padding=0, version=1, length=None):
    """One record. `length` overrides the content length written in the header (a lie)."""
    n = len(content) if length is None else length
    header = struct.pack(">BBHHBB", version & 0xFF, rtype & 0xFF, request_id & 0xFFFF, n & 0xFFFF, padding & 0xFF, 0)
    return header + content + b"\0" * padding


def begin(request_id=1, keep=False, role=RESPONDER):
    return record(BEGIN_REQUEST, request_id, struct.pack(">HB5x", role & 0xFFFF, KEEP_CONN if keep else 0))


def length_bytes(n):
    """FastCGI's length encoding: one byte below 128, else four with the high bit set.
    Values past 0x7fffffff are written as given (masked), which is what a fuzzer wants."""
    if 0 <= n < 0x80:
        return bytes([n])
    return struct.pack(">I", (n & 0x7FFFFFFF) | 0x80000000)


def pair(name, value):
    name = name.encode() if isinstance(name, str) else name
    value = value.encode() if isinstance(value, str) else value
    return length_bytes(len(name)) + length_bytes(len(value)) + name + value


def stream(rtype, request_id, data, chunk=65535):
    """`data` as records of at most `chunk` bytes, then the empty record that ends the stream."""
    out = b""
    for start in range(0, len(data), chunk):
        out += record(rtype, request_id, data[start:start + chunk])
    return out + record(rtype, request_id, b"")


def request_params(method="GET", uri="/healthz", headers=None, content_length=None):
    query = uri.split("?", 1)[1] if "?" in uri else ""
    params = [
        ("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("QUERY_STRING", query),
        ("SERVER_PROTOCOL", "HTTP/1.1"), ("REMOTE_ADDR", "127.0.0.1"), ("SERVER_NAME", "localhost"),
        ("HTTP_HOST", "localhost"),
    ]
    if content_length is not None:
        params.append(("CONTENT_LENGTH", str(content_length)))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        params.append((key if key == "CONTENT_TYPE" else "HTTP_" + key, value))
    return params


def request_bytes(method="GET", uri="/healthz", headers=None, body=b"", request_id=1, keep=False):
    params = b"".join(pair(n, v) for n, v in request_params(method, uri, headers, len(body) if body else None))
    return begin(request_id, keep) + stream(PARAMS, request_id, params) + stream(STDIN, request_id, body)


def connect(path, timeout=5.0):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


def read_records(sock, until_end=True, deadline=None):
    """Reads records until END_REQUEST (or EOF / timeout). Returns (records, how_it_ended)
    where how_it_ended is 'end', 'eof' or 'timeout'."""
    buf = b""
    records = []
    while True:
        while len(buf) >= 8:
            _, rtype, rid, n, pad, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + n + pad:
                break
            records.append((rtype, rid, buf[8:8 + n]))
            buf = buf[8 + n + pad:]
            if rtype == END_REQUEST and until_end:
                return records, "end"
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return records, "timeout"
            sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return records, "timeout"
        except OSError:
            return records, "eof"
        if not chunk:
            return records, "eof"
        buf += chunk


def parse_response(records):
    """(status, headers dict, body) from the STDOUT records of one request."""
    out = b"".join(content for rtype, _, content in records if rtype == STDOUT)
    head, _, body = out.partition(b"\r\n\r\n")
    status = 200
    headers = {}
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().decode("latin-1").lower()
        value = value.strip().decode("latin-1")
        if name == "status":
            try:
                status = int(value.split()[0])
            except (ValueError, IndexError):
                status = 0
        elif name:
            headers[name] = value
    return status, headers, body


def get(path, uri, timeout=5.0):
    """GET `uri` on the FastCGI socket at `path`; (status, headers, body), or raises OSError."""
    sock = connect(path, timeout)
    try:
        sock.sendall(request_bytes("GET", uri))
        records, ended = read_records(sock, deadline=time.monotonic() + timeout)
        if ended != "end":
            raise OSError("no complete answer to GET %s (%s)" % (uri, ended))
        return parse_response(records)
    finally:
        sock.close()


def status_fields(path, timeout=5.0):
    """parley's plain-text /status page as a dict (field: value)."""
    _, _, body = get(path, "/status", timeout)
    fields = {}
    for line in body.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields
