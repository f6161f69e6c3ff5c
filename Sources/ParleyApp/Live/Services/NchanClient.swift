#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// HTTP/1.1 to Nchan's publisher locations on nginx's publisher unix socket (one connection per
/// request, `Connection: close`: publishing is a few requests per message and the socket is
/// local). Bounded by `timeout` for connecting, writing and reading, so a stuck nginx stalls
/// only the publisher, never a request.
struct NchanClient: Sendable {
    let socketPath: String
    var timeout: Duration = .seconds(5)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// POSTs `body` to `path` as an SSE event named `event`; returns the status (201: someone
    /// heard it, 202: stored, nobody listening).
    func publish(path: String, event: String, body: [UInt8]) throws -> Int {
        let head = "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "X-EventSource-Event: \(event)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return try exchange(Array(head.utf8) + body).status
    }

    /// GET on a channel's publisher location: Nchan's count of stored messages, 0 when the
    /// channel does not exist (404).
    func storedMessages(path: String) throws -> Int {
        let reply = try exchange(Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n".utf8))
        guard reply.status == 200 else { return 0 }
        // {"messages": 3, "requested": -1, "subscribers": 0, "last_message_id": "…" }
        return (try? JSONDecoder().decode(ChannelInfo.self, from: Data(reply.body.utf8)))?.messages ?? 0
    }

    private func exchange(_ request: [UInt8]) throws -> (status: Int, body: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "recv: errno \(errno)") }
            reply.append(contentsOf: buffer[0..<n])
            guard reply.count < 1 << 20 else { break }
        }
        let text = String(decoding: reply, as: UTF8.self)
        // "HTTP/1.1 201 Created"
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else {
            throw Failure(description: "no HTTP status line from nginx")
        }
        let body = text.utf8.firstRange(of: "\r\n\r\n".utf8).map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}

/// The part of Nchan's channel info that the publisher reads.
private struct ChannelInfo: Decodable {
    let messages: Int
}
