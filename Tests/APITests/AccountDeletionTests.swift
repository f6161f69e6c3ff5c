import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// Deleting an account is one `DELETE FROM users`: the foreign keys take everything that
/// belonged only to that user with it, and leave other people's data in place.
@Suite("Account deletion", .enabled(if: TestEnvironment.runsIntegration))
struct AccountDeletionTests {
    @Test("account deletion leaves no rows behind")
    func noRowsBehind() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        // Alice creates, posts, edits, replies, is notified, reads, uses an idempotency key.
        let shared = try h.conversation(alice, with: [bob], title: "with bob")
        let alone = try h.conversation(alice, with: [], title: "notes to self")
        let hers = try h.post("alice 1", in: shared, as: alice, headers: ["Idempotency-Key": "k1"])["message_id"] as! String
        try h.post("alice 2", in: shared, as: alice)
        try h.post("alice alone", in: alone, as: alice)
        #expect(try h.request(.patch, "/api/messages/\(hers)/", json: BodyOnly(message_body: "alice 1, edited"), token: alice.token).status == 200)
        let bobsReply = try h.post("bob replies", in: shared, as: bob, parent: hers)["message_id"] as! String
        let bobsOwn = try h.post("bob again", in: shared, as: bob)["message_id"] as! String
        try h.post("alice answers bob", in: shared, as: alice, parent: bobsOwn)
        #expect(try h.request(.post, "/api/conversations/\(shared)/read/", token: alice.token).status == 200)
        #expect(try h.request(.get, "/api/notifications/", token: alice.token).count == 2)
        #expect(try h.request(.get, "/api/notifications/", token: bob.token).count == 3)

        let deleted = try h.request(.delete, "/api/users/me/", token: alice.token)
        #expect(deleted.status == 204, "\(deleted.text)")

        // No row anywhere holds her id: every uuid column compared, every text and bytea column searched.
        let leftovers = try Self.references(to: alice.id, in: h.database)
        #expect(leftovers.isEmpty, "rows still naming the deleted user: \(leftovers)")
        let bobsRows = try Self.references(to: bob.id, in: h.database)
        #expect(bobsRows.contains { $0.hasPrefix("messages.sender_id") } && bobsRows.contains { $0.hasPrefix("users.user_id") },
                "the search finds a live user's rows: \(bobsRows)")
        #expect(try h.count("conversations", where: "conversation_id = $1", UUID(uuidString: alone)!) == 0, "a conversation nobody is left in goes too")

        // Bob's side stays: the shared conversation (creator unknown now), his messages, his
        // reply (now top-level), nothing about Alice's messages in his notifications.
        let conversation = try h.request(.get, "/api/conversations/\(shared)/", token: bob.token)
        #expect(conversation.status == 200)
        #expect(conversation.object["created_by"] is NSNull)
        #expect((conversation.object["participants"] as? [[String: Any]])?.count == 1)
        let messages = try h.request(.get, "/api/conversations/\(shared)/messages/", token: bob.token)
        #expect(messages.results.map { $0["message_body"] as? String } == ["bob replies", "bob again"])
        #expect(try h.request(.get, "/api/messages/\(bobsReply)/", token: bob.token).object["parent_message"] is NSNull)
        #expect(try h.request(.get, "/api/notifications/", token: bob.token).count == 0)
        // Her token no longer works.
        #expect(try h.request(.get, "/api/conversations/", token: alice.token).status == 401)
    }

    /// Every (table, column) in the public schema with a row that holds `id`.
    static func references(to id: UUID, in database: PostgresDatabase) throws -> [String] {
        try database.read { connection in
            let columns = try connection.query("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type IN ('uuid', 'text', 'character varying', 'bytea', 'jsonb', 'json')
                ORDER BY table_name, column_name
                """).decode((String, String, String).self)
            var found: [String] = []
            for (table, column, type) in columns {
                let condition: String = switch type {
                case "uuid": "\(PostgresQuery.quoteIdentifier(column)) = $1::uuid"
                case "bytea": "position(convert_to($1, 'UTF8') in \(PostgresQuery.quoteIdentifier(column))) > 0"
                default: "position($1 in lower(\(PostgresQuery.quoteIdentifier(column))::text)) > 0"
                }
                var binds = PostgresBindings()
                binds.append(id.uuidString.lowercased())
                let sql = "SELECT count(*) FROM \(PostgresQuery.quoteIdentifier(table)) WHERE \(condition)"
                let count = try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds))[0].decode(Int.self, at: 0)
                if count > 0 { found.append("\(table).\(column): \(count)") }
            }
            return found
        }
    }
}
