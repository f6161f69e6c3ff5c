#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive HTTP/1.1 connection to nginx's publisher socket, owned by one thread.
///
/// Requests are pipelined: ``exchange(_:)`` writes a batch in one `send` and reads the replies,
/// which nginx answers in order. A connection per request (as before) cost a `socket`, a
/// `connect`, nginx's accept and both closes for every event: three per post in a conversation
/// of three, about a fifth of what a post cost the machine (bench/README.md, "The live
/// publisher's connection").
final class NchanConnection {
    private let fd: Int32
    /// Received bytes not yet parsed into replies.
    private var received: [UInt8] = []
    /// False once nginx said `Connection: close`, or a read or write failed: make a new one.
    private(set) var isUsable = true
    /// Exchanges completed on this connection; a failure on a reused connection may only mean
    /// that nginx closed it while idle (`keepalive_timeout`).
    private(set) var exchanges = 0

    init(socketPath: String, timeout: Duration) throws(NchanClient.Failure) {
        fd = try Self.connected(socketPath: socketPath, timeout: timeout)
    }

    /// A connected descriptor; on failure, none is left open. (Not in `init`: once `fd` is set,
    /// a throw there would also run `deinit`, which closes it.)
    private static func connected(socketPath: String, timeout: Duration) throws(NchanClient.Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw NchanClient.Failure(description: "socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NchanClient.Failure(description: "socket: errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw NchanClient.Failure(description: "connect: errno \(code)")
        }
        return fd
    }

    deinit {
        close(fd)
    }

    /// Sends `requests` (each a whole HTTP/1.1 request) and reads their replies in order. The
    /// replies may be fewer than the requests: nginx closed the connection after the last one
    /// (the requests after it were not processed), or the connection failed (then `failure`
    /// says how; a request without a reply may or may not have been processed).
    func exchange(_ requests: [[UInt8]]) -> (replies: [NchanReply], failure: NchanClient.Failure?) {
        guard isUsable else { return ([], NchanClient.Failure(description: "connection closed")) }
        var replies: [NchanReply] = []
        replies.reserveCapacity(requests.count)
        do throws(NchanClient.Failure) {
            try send(requests.reduce(into: []) { $0 += $1 })
            var parsed = 0
            while replies.count < requests.count {
                if let (reply, end) = try NchanReply.parse(received, from: parsed) {
                    replies.append(reply)
                    parsed = end
                    if reply.closesConnection {
                        isUsable = false
                        break
                    }
                    continue
                }
                try receive()
            }
            received.removeFirst(parsed)
            exchanges += 1
            return (replies, nil)
        } catch {
            isUsable = false
            return (replies, error)
        }
    }

    private func send(_ bytes: [UInt8]) throws(NchanClient.Failure) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw NchanClient.Failure(description: "send: errno \(errno)") }
            sent += n
        }
    }

    private func receive() throws(NchanClient.Failure) {
        let before = received.count
        received.reserveCapacity(before + 4096)
        let n = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer -> Int in
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { received.append(contentsOf: buffer[0..<n]) }
            return n
        }
        if n < 0, errno == EINTR { return }
        guard n != 0 else { throw NchanClient.Failure(description: "nginx closed the connection") }
        guard n > 0 else { throw NchanClient.Failure(description: "recv: errno \(errno)") }
    }
}

@available(*, unavailable)
extension NchanConnection: Sendable {}
