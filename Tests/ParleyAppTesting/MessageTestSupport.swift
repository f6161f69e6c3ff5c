import Foundation
@testable import ParleyApp
import ParleyTesting
import Postgres
import Web

// Helpers shared by the messaging API suites (conversations, messages, threads,
// notifications, idempotency, account deletion).

/// A harness whose message rate limit is out of the way (the rate-limit suites set their own).
func messagingHarness(_ adjust: (inout MessagingConfiguration) -> Void = { _ in }) throws -> APIHarness {
    var configuration = AppConfiguration.testing()
    configuration.messaging.messageRateLimit = 100_000
    adjust(&configuration.messaging)
    return try APIHarness(configuration: configuration)
}

struct NewConversation: Encodable {
    var participant_ids: [String]
    var title: String?
}

struct NewMessage: Encodable {
    var message_body: String
    var parent_message: String?
}

struct BodyOnly: Encodable {
    var message_body: String
}

extension TestUser {
    var idString: String { id.uuidString.lowercased() }
}

extension APIHarness {
    /// Creates a conversation through the API as `creator`, with `others`; returns its id.
    func conversation(_ creator: TestUser, with others: [TestUser], title: String? = nil) throws -> String {
        let response = try request(.post, "/api/conversations/", json: NewConversation(participant_ids: others.map(\.idString), title: title), token: creator.token)
        guard response.status == 201, let id = response.object["conversation_id"] as? String else {
            throw MessagingTestFailure( "creating a conversation failed: \(response.status) \(response.text)")
        }
        return id
    }

    /// Posts a message through the API; returns the response object.
    @discardableResult
    func post(_ body: String, in conversation: String, as user: TestUser, parent: String? = nil, headers: [String: String] = [:]) throws -> [String: Any] {
        let response = try request(.post, "/api/conversations/\(conversation)/messages/", json: NewMessage(message_body: body, parent_message: parent), token: user.token, headers: headers)
        guard response.status == 201 else {
            throw MessagingTestFailure( "posting failed: \(response.status) \(response.text)")
        }
        return response.object
    }

    /// Inserts `count` messages straight into the table, one second apart from `start`.
    func seedMessages(_ count: Int, in conversation: String, from sender: TestUser, start: Date = Date(timeIntervalSince1970: 1_700_000_000)) throws {
        let id = UUID(uuidString: conversation)!
        try database.write { connection in
            try connection.execute("""
                INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
                SELECT \(id), \(sender.id), 'seeded ' || n, \(start) + n * interval '1 second'
                FROM generate_series(1, \(count)) AS n
                """)
        }
    }

    /// How many rows of `table` match `condition` (fixed SQL) for the value bound to `$1`.
    func count(_ table: String, where condition: String, _ value: UUID) throws -> Int {
        try database.read { connection in
            try connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(condition)", binds: {
                var binds = PostgresBindings()
                binds.append(value)
                return binds
            }()))[0].decode(Int.self, at: 0)
        }
    }
}

extension TestResponse {
    var results: [[String: Any]] { object["results"] as? [[String: Any]] ?? [] }
    var count: Int? { object["count"] as? Int }
    var next: String? { object["next"] as? String }
    var previous: String? { object["previous"] as? String }

    /// `{"field": ["…"]}` → the messages of `field`.
    func fieldErrors(_ field: String) -> [String] { object[field] as? [String] ?? [] }
}

/// The path and query of an absolute URL (`https://testserver/api/…?page=2` → `/api/…?page=2`).
func relative(_ url: String?) -> String? {
    guard let url, let range = url.range(of: "testserver") else { return nil }
    return String(url[range.upperBound...])
}

struct MessagingTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
