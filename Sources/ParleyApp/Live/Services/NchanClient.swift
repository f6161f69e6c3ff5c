import FoundationEssentials

/// HTTP/1.1 to Nchan's publisher locations on nginx's publisher unix socket. The publisher
/// thread keeps one connection and pipelines its batches (``NchanSession``); a request thread's
/// occasional check (``publish(path:event:body:)``, ``storedMessages(path:)``) opens one of its
/// own. Bounded by `timeout` for connecting, writing and reading, so a stuck nginx stalls only
/// the caller, never other requests.
struct NchanClient: Sendable {
    let socketPath: String
    var timeout: Duration = .seconds(5)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func connect() throws(Failure) -> NchanConnection {
        try NchanConnection(socketPath: socketPath, timeout: timeout)
    }

    /// A POST of `body` to `path` as an SSE event named `event`. Nchan answers 201 (someone
    /// heard it) or 202 (stored, nobody listening).
    static func publishRequest(path: String, event: String, body: [UInt8]) -> [UInt8] {
        var request = Array("POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-EventSource-Event: \(event)\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        return request
    }

    /// A GET on a channel's publisher location: Nchan's channel info (404 when the channel
    /// does not exist).
    static func infoRequest(path: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n".utf8)
    }

    /// Nchan's count of a channel's stored messages from an ``infoRequest(path:)``'s reply;
    /// 0 when the channel does not exist.
    static func storedMessages(in reply: NchanReply) -> Int {
        guard reply.status == 200 else { return 0 }
        // {"messages": 3, "requested": -1, "subscribers": 0, "last_message_id": "…" }
        return (try? JSONDecoder().decode(ChannelInfo.self, from: Data(reply.body)))?.messages ?? 0
    }

    /// Publishes one event on a connection of its own; returns Nchan's status.
    func publish(path: String, event: String, body: [UInt8]) throws -> Int {
        try exchangeOnce(Self.publishRequest(path: path, event: event, body: body)).status
    }

    /// A channel's stored messages, on a connection of its own.
    func storedMessages(path: String) throws -> Int {
        Self.storedMessages(in: try exchangeOnce(Self.infoRequest(path: path)))
    }

    private func exchangeOnce(_ request: [UInt8]) throws(Failure) -> NchanReply {
        let (replies, failure) = try connect().exchange([request])
        guard let reply = replies.first else { throw failure ?? Failure(description: "no reply from nginx") }
        return reply
    }
}

/// The part of Nchan's channel info that the publisher reads.
private struct ChannelInfo: Decodable {
    let messages: Int
}
