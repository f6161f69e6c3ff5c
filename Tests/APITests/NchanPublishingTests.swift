import Foundation
@testable import ParleyApp
import ParleyTesting
import Postgres
import Testing

/// The publisher's HTTP to Nchan: replies framed from a byte stream that may hold several or
/// part of one, and batches pipelined on one kept connection to the test stack's nginx.
@Suite("Nchan publishing: replies and pipelined batches")
struct NchanPublishingTests {
    static let created = Array("HTTP/1.1 201 Created\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello".utf8)
    static let closing = Array("HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nConnection: close\r\n\r\nok".utf8)

    @Test("a reply is framed by its Content-Length; a stream holding two yields both, in order")
    func framing() throws {
        let stream = Self.created + Self.closing
        let (first, end) = try #require(try NchanReply.parse(stream, from: 0))
        #expect(first == NchanReply(status: 201, body: Array("hello".utf8), closesConnection: false))
        #expect(end == Self.created.count)
        let (second, last) = try #require(try NchanReply.parse(stream, from: end))
        #expect(second == NchanReply(status: 202, body: Array("ok".utf8), closesConnection: true))
        #expect(last == stream.count)
    }

    @Test("a reply cut anywhere is incomplete, never misread")
    func partial() throws {
        for cut in 0..<Self.created.count {
            #expect(try NchanReply.parse(Array(Self.created[..<cut]), from: 0) == nil)
        }
    }

    @Test("what is not a framed HTTP/1.x reply is refused", arguments: [
        "HTTP/1.1 201 Created\r\nServer: nginx\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "SSH-2.0-OpenSSH\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n",
    ])
    func refused(_ text: String) {
        #expect(throws: NchanClient.Failure.self) { try NchanReply.parse(Array(text.utf8), from: 0) }
    }

    @Test("a head that never ends is refused once it passes the limit")
    func endlessHead() {
        let head = Array("HTTP/1.1 200 OK\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: NchanReply.maxHeadBytes + 1)
        #expect(throws: NchanClient.Failure.self) { try NchanReply.parse(head, from: 0) }
    }

    @Test("a batch larger than one write goes over one kept connection, every event stored in order",
          .enabled(if: !(ProcessInfo.processInfo.environment["PARLEY_LIVE_SOCKET"] ?? "").isEmpty || TestEnvironment.isStackRequired))
    func pipelinedBatch() throws {
        let client = NchanClient(socketPath: try TestEnvironment.require("PARLEY_LIVE_SOCKET"))
        let session = NchanSession(client: client, logger: .init(label: "test"))
        let path = LiveChannel.user(UUID()).publishPath
        let count = NchanSession.requestsPerWrite * 2 + 5
        let requests = (0..<count).map { NchanClient.publishRequest(path: path, event: "test", body: Array(#"{"n":\#($0)}"#.utf8)) }
        let replies = session.send(requests)
        #expect(replies.count == count)
        #expect(replies.allSatisfy { $0.status == 202 })
        // The same connection answers the channel's info: all of them are stored.
        let info = try #require(session.send([NchanClient.infoRequest(path: path)]).first)
        #expect(NchanClient.storedMessages(in: info) == min(count, 50))
        // And the one-shot client, on a connection of its own, sees the same.
        #expect(try client.storedMessages(path: path) == min(count, 50))
    }

    @Test("past nginx's 1,000 requests per connection the session goes on over a new one, losing none",
          .enabled(if: !(ProcessInfo.processInfo.environment["PARLEY_LIVE_SOCKET"] ?? "").isEmpty || TestEnvironment.isStackRequired))
    func pastKeepaliveRequests() throws {
        let session = NchanSession(client: NchanClient(socketPath: try TestEnvironment.require("PARLEY_LIVE_SOCKET")), logger: .init(label: "test"))
        let paths = (0..<1_050).map { _ in LiveChannel.user(UUID()).publishPath }
        let replies = session.send(paths.map { NchanClient.publishRequest(path: $0, event: "test", body: Array("{}".utf8)) })
        #expect(replies.count == paths.count)
        #expect(replies.allSatisfy { $0.status == 202 })
        #expect(replies.contains { $0.closesConnection })
        for path in [paths[0], paths[999], paths[1_000], paths[1_049]] {
            #expect(try session.client.storedMessages(path: path) == 1)
        }
    }
}

/// What the publisher keeps to publish again after nginx lost its channels.
@Suite("Live publisher: the events kept for a replay")
struct LiveReplayKeepTests {
    func publisher() -> LivePublisher {
        LivePublisher(database: PostgresConfiguration(url: "postgresql://unused"), live: LiveConfiguration(), logger: .init(label: "test"))
    }

    @Test("a channel keeps its last 50, as Nchan does; older than the window is dropped")
    func perChannel() {
        let publisher = publisher()
        let start = ContinuousClock.now
        for n in 0..<60 { publisher.keep(path: "/pub/users/a", event: "e", body: [UInt8(n)], at: start) }
        publisher.keep(path: "/pub/users/b", event: "e", body: [1], at: start + .seconds(20))
        #expect(publisher.recent["/pub/users/a"]?.map(\.body) == (10..<60).map { [UInt8($0)] })
        #expect(publisher.keptCount == 51)
        publisher.pruneKeptEvents(now: start + .seconds(40))
        #expect(publisher.recent["/pub/users/a"] == nil)
        #expect(publisher.keptCount == 1)
    }

    @Test("events spread over many channels stay within the limit, the newest kept")
    func overall() {
        let publisher = publisher()
        let start = ContinuousClock.now
        let total = LivePublisher.keptLimit * 3
        for n in 0..<total {
            publisher.keep(path: "/pub/users/\(n % 5_000)", event: "e", body: [], at: start + .microseconds(Int64(n) * 250))
        }
        #expect(publisher.keptCount <= LivePublisher.keptLimit)
        #expect(publisher.keptCount == publisher.recent.values.reduce(0) { $0 + $1.count })
        // The last second's events (4,000 at this rate) are all there.
        let newest = start + .microseconds(Int64(total - 1) * 250)
        let lastSecond = publisher.recent.values.joined().filter { $0.at > newest - .seconds(1) }.count
        #expect(lastSecond == 4_000)
    }
}
