#if canImport(Glibc)
import Glibc
#endif

/// Looks at a request's records before libfcgi reads them (`recv` with `MSG_PEEK`), and refuses
/// params that libfcgi must not see: Debian's libfcgi carries only half of the
/// CVE-2025-23016 fix, and a name-value pair whose lengths add up past `Int32.max` makes it
/// overflow and abort the process. Here every pair's lengths are checked against the limits
/// (nginx sends a few kB), as are the number of pairs and their total size.
///
/// Reading stops at the end of the params (the empty PARAMS record); what follows is libfcgi's.
/// So a management record inside the body still reaches libfcgi, which parses a GET_VALUES
/// there with the same unchecked lengths and aborts: that crash is libfcgi's, and costs only
/// its worker process, which the master replaces (docs/chaos.md). A peer that stops sending
/// in the middle waits at most the socket's receive timeout; one that closes, not at all.
struct RecordInspector {
    enum Verdict: Equatable {
        /// The params are within the limits (or the peer closed: libfcgi will see that).
        case acceptable
        case refused(String)
    }

    let maxParams: Int
    let maxParamBytes: Int

    /// The most bytes ever peeked: the params and their record headers.
    var window: Int { maxParamBytes + maxParamBytes / 64 + 4096 }

    /// Peeks at `fd` into `buffer` (at least ``window`` bytes) until the params end, waiting at
    /// most `timeout` for records still to come. (`MSG_WAITALL` does not wait when combined with
    /// `MSG_PEEK` on a unix socket, so a short peek is retried after a pause; nginx writes a
    /// request's records at once, so that path is for peers that dribble.)
    func inspect(fd: Int32, buffer: UnsafeMutableRawBufferPointer, timeout: Duration) -> Verdict {
        var want = min(4096, buffer.count)
        var deadline: ContinuousClock.Instant?
        var pause: UInt32 = 500
        while true {
            let requested = want
            let count = recv(fd, buffer.baseAddress, requested, Int32(MSG_PEEK | MSG_DONTWAIT))
            if count == 0 { return .acceptable }
            if count < 0 && errno != EAGAIN && errno != EINTR { return .acceptable }  // libfcgi reports it
            if count > 0 {
                switch examine(UnsafeRawBufferPointer(rebasing: buffer[..<count])) {
                case .done(let verdict):
                    return verdict
                case .needs(let total):
                    guard total <= buffer.count else { return .refused("more than \(buffer.count) bytes before the params end") }
                    want = total
                    // A full peek may have left bytes unread: look again at once.
                    if count == requested { continue }
                }
            }
            // A peer that closed (or shut down writing) with a record unfinished will never
            // finish it; its bytes stay readable, so without this the thread would wait out the
            // whole timeout (the fuzzer held every thread that way with truncated requests).
            if Self.peerClosed(fd) { return .refused("the peer closed in the middle of a record") }
            let now = ContinuousClock.now
            if deadline == nil { deadline = now + timeout }
            if let deadline, now >= deadline { return .refused("the peer stopped sending in the middle of a record") }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// True when the peer will send nothing more (POLLRDHUP), without waiting.
    static func peerClosed(_ fd: Int32) -> Bool {
        // POLLRDHUP is Linux's (0x2000); Glibc's module hides it behind _GNU_SOURCE.
        let rdhup: Int16 = 0x2000
        var entry = pollfd(fd: fd, events: rdhup, revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & (rdhup | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }

    enum Step: Equatable {
        case done(Verdict)
        /// The first `total` bytes are needed to go on.
        case needs(Int)
    }

    /// Walks the records in `bytes`: a BEGIN_REQUEST, then that request's PARAMS records up to
    /// the empty one — what nginx sends, and all it sends, before a request's body. Anything
    /// else there is refused. libfcgi would answer management records (request id 0) and skip
    /// other requests' records and read on; each of those doors let unchecked params through in
    /// the fuzzer's hands: CVE-2025-23016's lengths behind an UNKNOWN_TYPE or GET_VALUES_RESULT
    /// record or another request's STDIN, and random records before the params, made libfcgi
    /// overflow or fail an allocation and abort the worker. (A BEGIN_REQUEST is refused only
    /// for its header: its 8-byte body is libfcgi's to read.)
    func examine(_ bytes: UnsafeRawBufferPointer) -> Step {
        var position = 0
        var requestID: Int?
        // The PARAMS stream: checked in place when one record carries it (nginx's usual
        // request), copied together when several do.
        var single: UnsafeRawBufferPointer?
        var joined: [UInt8]?
        while position + 8 <= bytes.count {
            let version = bytes[position]
            let type = bytes[position + 1]
            let id = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let length = Int(bytes[position + 4]) << 8 | Int(bytes[position + 5])
            let end = position + 8 + length + Int(bytes[position + 6])
            guard version == 1 else { return .done(.refused("a record of FastCGI version \(version)")) }
            guard let request = requestID else {
                guard type == 1, id != 0, length == 8 else { return .done(.refused("the request does not start with a BEGIN_REQUEST record")) }
                requestID = id
                guard end <= bytes.count else { return .needs(end) }
                position = end
                continue
            }
            guard type == 4, id == request else {
                return .done(.refused("a record other than the request's params (type \(type), request id \(id)) before they end"))
            }
            guard end <= bytes.count else { return .needs(end) }
            let content = UnsafeRawBufferPointer(rebasing: bytes[(position + 8)..<(position + 8 + length)])
            if length == 0 {
                if let joined { return .done(joined.withUnsafeBytes { check($0) }) }
                return .done(check(single ?? UnsafeRawBufferPointer(start: nil, count: 0)))
            }
            if joined != nil {
                joined!.append(contentsOf: content)
            } else if let first = single {
                joined = Array(first) + Array(content)
            } else {
                single = content
            }
            if (joined?.count ?? content.count) > maxParamBytes { return .done(.refused("params larger than \(maxParamBytes) bytes")) }
            position = end
        }
        return .needs(position + 8)
    }

    /// Decodes name-value pairs and checks each length, the count and the total.
    func check(_ stream: UnsafeRawBufferPointer) -> Verdict {
        var index = stream.startIndex
        var count = 0
        func length() -> Int? {
            guard index < stream.endIndex else { return nil }
            let first = stream[index]
            if first < 0x80 {
                index += 1
                return Int(first)
            }
            guard index + 4 <= stream.endIndex else { return nil }
            let value = Int(first & 0x7F) << 24 | Int(stream[index + 1]) << 16 | Int(stream[index + 2]) << 8 | Int(stream[index + 3])
            index += 4
            return value
        }
        while index < stream.endIndex {
            guard let name = length(), let value = length() else { return .refused("a param's length is cut short") }
            guard name <= maxParamBytes, value <= maxParamBytes, name + value <= stream.endIndex - index else {
                return .refused("a param longer than the params that carry it")
            }
            index += name + value
            count += 1
            if count > maxParams { return .refused("more than \(maxParams) params") }
        }
        return .acceptable
    }
}
