import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// Migration 0019: a post writes each row it changes once. PostgreSQL counts a backend's row
/// updates in pg_stat_xact_user_tables until it sends them on, which it never does inside a
/// transaction, so the post runs inside one here.
@Suite("A post's row versions", .enabled(if: TestEnvironment.runsIntegration))
struct PostWriteAmplificationTests {
    @Test("one post in a conversation of three: the conversation once, each participant row once, each recipient's counters once")
    func oneVersionPerRow() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let conversation = UUID(uuidString: try h.conversation(alice, with: [bob, carol]))!
        let updates = try h.database.transaction { connection -> [String: Int] in
            // The backend's counts not yet sent to the statistics (earlier transactions' too):
            // the post's are the difference, and nothing is sent mid-transaction.
            func counts() throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for row in try connection.query("""
                    SELECT relname, n_tup_upd FROM pg_stat_xact_user_tables
                    WHERE relname IN ('conversations', 'conversation_participants', 'users')
                    """) {
                    let (table, count) = try row.decode((String, Int).self)
                    counts[table] = count
                }
                return counts
            }
            let before = try counts()
            let result = try PostgresMessageRepository(connection: connection)
                .post(conversationID: conversation, senderID: alice.id, draft: MessageDraft(body: "once", parentMessageID: nil))
            guard case .posted = result else { throw PostFailed(result: "\(result)") }
            return try counts().reduce(into: [:]) { $0[$1.key] = $1.value - (before[$1.key] ?? 0) }
        }
        #expect(updates["conversations"] == 1, "count and last activity in one UPDATE: \(updates)")
        #expect(updates["conversation_participants"] == 3, "unread count and activity copy in one UPDATE: \(updates)")
        #expect(updates["users"] == 2, "the recipients' notification counters: \(updates)")

        // And what those single writes hold: the list and the counters as before.
        let bobsList = try h.request(.get, "/api/conversations/", token: bob.token)
        let first = try #require(bobsList.results.first)
        #expect(first["conversation_id"] as? String == conversation.uuidString.lowercased())
        #expect(first["unread_count"] as? Int == 1)
        let copies = try h.database.read { connection in
            try connection.query("""
                SELECT count(*) FILTER (WHERE p.conversation_last_message_at = m.latest AND c.last_message_at = m.latest)
                FROM conversation_participants p JOIN conversations c USING (conversation_id),
                     (SELECT max(sent_at) AS latest FROM messages WHERE conversation_id = \(conversation)) m
                WHERE p.conversation_id = \(conversation)
                """).first!.decode(Int.self)
        }
        #expect(copies == 3, "the conversation's last activity is the message's time, and so is each participant's copy")
    }

    struct PostFailed: Error { let result: String }
}
