import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// Live updates (issue 14), in process on the real PostgreSQL: the subscription check nginx
/// asks (`GET /api/live/authorize`) and the outbox the publisher drains. The streams
/// themselves, through nginx and a browser, are Tests/Browser/live_test.py's.
@Suite("Live updates: the subscription check and the outbox", .serialized, .enabled(if: TestEnvironment.runsIntegration))
struct LiveTests {
    let counter = RoundTripCounter()
    let h: APIHarness
    let alice: TestUser
    let bob: TestUser
    let carol: TestUser
    let conversation: String

    init() throws {
        var configuration = AppConfiguration.testing()
        configuration.messaging.messageRateLimit = 100_000
        h = try APIHarness(configuration: configuration, observer: counter)
        alice = try h.makeUser()
        bob = try h.makeUser()
        carol = try h.makeUser()
        conversation = try h.conversation(alice, with: [bob])
    }

    func check(_ channel: String, token: String?, headers: [String: String] = [:]) throws -> TestResponse {
        var fields = headers
        fields["X-Channel-Id"] = channel
        return try h.request(.get, LiveController.authorizePath, token: token, headers: fields)
    }

    @Test("participants may listen to a conversation, owners to their user channel; others 403, no token 401")
    func authorization() throws {
        #expect(try check("conv-\(conversation)", token: alice.token).status == 200)
        #expect(try check("conv-\(conversation)", token: bob.token).status == 200)
        let outsider = try check("conv-\(conversation)", token: carol.token)
        #expect(outsider.status == 403)
        #expect(outsider.detail?.contains("not your conversation") == true)
        #expect(try check("conv-\(UUID().uuidString.lowercased())", token: alice.token).status == 403, "a conversation that does not exist")
        #expect(try check("user-\(alice.id.apiString)", token: alice.token).status == 200)
        #expect(try check("user-\(bob.id.apiString)", token: alice.token).status == 403)
        #expect(try check("conv-\(conversation)", token: nil).status == 401)
        #expect(try check("conv-\(conversation)", token: "not-a-token").status == 401)
        #expect(try check("nonsense", token: alice.token).status == 404)
        #expect(try h.request(.get, LiveController.authorizePath, token: alice.token).status == 400, "no channel at all")
        #expect(try h.request(.get, LiveController.authorizePath).status == 401, "no credentials comes first")
        #expect(try check("nonsense", token: nil).status == 401, "no credentials comes first")
    }

    @Test("the check is one query, whatever the answer")
    func oneQuery() throws {
        for (channel, token) in [("conv-\(conversation)", bob.token), ("conv-\(conversation)", carol.token), ("user-\(alice.id.apiString)", alice.token)] {
            _ = try check(channel, token: token)
            counter.reset()
            _ = try check(channel, token: token)
            #expect(counter.statements == 1 && counter.roundTrips == 1, "\(channel): \(counter.sql)")
        }
    }

    /// The outbox rows about `message`, as `connection` sees them (inside its transaction:
    /// the stack's publisher cannot have taken them yet, it sees committed rows only).
    func outbox(_ connection: PostgresConnection, message: UUID) throws -> [String] {
        try connection.query("""
            SELECT channel_kind || ' ' || channel_id || ' ' || event FROM live_outbox
            WHERE message_id = \(message) ORDER BY event_id
            """).map { try $0.decode(String.self, at: 0) }
    }

    /// A message from alice and bob's notification of it, written in one statement as a post
    /// writes them; its id.
    func postAliceToBob(_ body: String, in conversationID: UUID, on connection: PostgresConnection) throws -> UUID {
        try connection.query("""
            WITH m AS (
                INSERT INTO messages (conversation_id, sender_id, message_body)
                VALUES (\(conversationID), \(alice.id), \(body)) RETURNING message_id, conversation_id, sent_at
            ), n AS (
                INSERT INTO notifications (recipient_id, message_id, conversation_id, created_at)
                SELECT \(bob.id), m.message_id, m.conversation_id, m.sent_at FROM m
            )
            SELECT message_id FROM m
            """)[0].decode(UUID.self, at: 0)
    }

    struct RollBack: Error {}

    @Test("a new message, its notification, an edit, a deletion and a read write the outbox in their own transaction")
    func outboxRows() throws {
        let conversationID = try #require(UUID(apiString: conversation))
        var seen: [String] = []
        var unread: [String] = []
        _ = try? h.database.transaction { connection -> Void in
            let id = try postAliceToBob("hello", in: conversationID, on: connection)
            try connection.execute("UPDATE messages SET message_body = 'hello again', edited_at = now() WHERE message_id = \(id)")
            try connection.execute("UPDATE messages SET sent_at = sent_at WHERE message_id = \(id)")  // no visible change: no event
            try connection.execute("UPDATE conversation_participants SET unread_count = 0, last_read_at = now() WHERE conversation_id = \(conversationID) AND user_id = \(bob.id)")
            try connection.execute("DELETE FROM messages WHERE message_id = \(id)")
            seen = try outbox(connection, message: id)
            unread = try connection.query("""
                SELECT event FROM live_outbox WHERE channel_id = \(bob.id) AND conversation_id = \(conversationID) AND event = 'unread.changed'
                """).map { try $0.decode(String.self, at: 0) }
            throw RollBack()
        }
        // (The two inserts' triggers run at the end of one statement, in no promised order.)
        #expect(Set(seen.prefix(2)) == ["conversation \(conversation) message.created", "user \(bob.id.apiString) notification.created"])
        #expect(Array(seen.dropFirst(2)) == ["conversation \(conversation) message.edited", "conversation \(conversation) message.deleted"])
        #expect(unread == ["unread.changed"], "bob read the conversation: his unread count went down")
    }

    @Test("a rolled-back insert leaves nothing in the outbox")
    func rollback() throws {
        var id: UUID?
        _ = try? h.database.transaction { connection -> Void in
            id = try connection.query("""
                INSERT INTO messages (conversation_id, sender_id, message_body)
                VALUES (\(UUID(apiString: conversation)!), \(alice.id), 'never') RETURNING message_id
                """)[0].decode(UUID.self, at: 0)
            #expect(try outbox(connection, message: id!).count == 1, "written inside the transaction")
            throw RollBack()
        }
        let message = try #require(id)
        #expect(try h.database.read { try outbox($0, message: message) } == [])
    }

    @Test("the publisher's claim gives each event its message with the sender's name, and a user channel's counts")
    func claimedEvents() throws {
        let conversationID = try #require(UUID(apiString: conversation))
        var events: [LiveEvent] = []
        var messageID: UUID?
        _ = try? h.database.transaction { connection -> Void in
            // Only this test's events in the batch: the others' are set aside inside the
            // transaction, which is rolled back.
            try connection.execute("DELETE FROM live_outbox")
            let id = try postAliceToBob("claimed", in: conversationID, on: connection)
            messageID = id
            events = try PostgresLiveOutbox.claim(connection)
            throw RollBack()
        }
        let id = try #require(messageID)
        #expect(events.count == 2)
        let created = try #require(events.first { $0.name == "message.created" })
        #expect(created.channel == .conversation(conversationID))
        #expect(created.message?.messageID == id)
        #expect(created.message?.body == "claimed")
        #expect(created.message?.sender.username == alice.username)
        #expect(created.unreadCount == nil && created.unreadNotifications == nil, "a conversation channel carries no counts")
        let notified = try #require(events.first { $0.name == "notification.created" })
        #expect(notified.channel == .user(bob.id))
        #expect(notified.message?.messageID == id)
        #expect(notified.unreadCount == 1, "bob's unread messages in the conversation")
        #expect(notified.unreadNotifications == 1, "bob's unread notifications")
        #expect(events.map(\.eventID) == events.map(\.eventID).sorted(), "oldest first")
    }

    @Test("writers NOTIFY the publisher only while it holds no lease (migration 0022)")
    func notifyOnlyWithoutLease() throws {
        let conversationID = try #require(UUID(apiString: conversation))
        let listener = try PostgresConnection(configuration: h.database.configuration, logger: h.database.logger)
        try listener.execute("LISTEN parley_live")
        /// Commits a message written while the lease runs out `ahead` from now (nil: has run
        /// out); returns the transaction's id.
        func write(leaseAhead ahead: String?) throws -> String {
            try h.database.transaction { connection in
                let id = try connection.query("SELECT txid_current()::text")[0].decode(String.self, at: 0)
                if let ahead {
                    try connection.execute("UPDATE live_publisher_lease SET busy_until = clock_timestamp() + \(ahead)::interval")
                } else {
                    try connection.execute("UPDATE live_publisher_lease SET busy_until = '-infinity'")
                }
                try connection.execute("""
                    INSERT INTO messages (conversation_id, sender_id, message_body) VALUES (\(conversationID), \(alice.id), 'lease')
                    """)
                // Let go of it before the commit either way: the stack's publisher waits for NOTIFYs.
                try connection.execute("UPDATE live_publisher_lease SET busy_until = '-infinity'")
                return id
            }
        }
        let quiet = try write(leaseAhead: "500 milliseconds")
        let farAhead = try write(leaseAhead: "1 hour")
        let heard = try write(leaseAhead: nil)
        var payloads: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(5)
        while !payloads.contains(heard), ContinuousClock.now < deadline {
            payloads.formUnion(try listener.waitForNotifications(timeout: .milliseconds(200)).map(\.payload))
        }
        #expect(payloads.contains(heard), "written without the lease: NOTIFY")
        #expect(!payloads.contains(quiet), "written under the lease: none")
        #expect(payloads.contains(farAhead), "a lease more than a second ahead (a clock set back) counts as run out")
    }

    @Test("a post through the API is still one statement with the outbox")
    func postStaysOneStatement() throws {
        _ = try h.post("warm up", in: conversation, as: alice)
        counter.reset()
        _ = try h.post("counted", in: conversation, as: alice)
        let inserts = counter.sql.filter { $0.contains("INSERT INTO messages") }
        #expect(inserts.count == 1, "\(counter.sql)")
        #expect(!counter.sql.contains { $0.contains("live_outbox") }, "the outbox is written by the trigger, not by another statement")
    }
}
