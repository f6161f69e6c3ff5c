import Foundation
@testable import ParleyApp
import ParleyTesting
import Web

// Helpers of the membership suites (API and pages).

struct AddParticipants: Encodable {
    var user_ids: [String]
}

extension APIHarness {
    /// `POST /api/conversations/{id}/participants/` as `caller` (anonymous when nil).
    func addParticipants(_ users: [TestUser], to conversation: String, as caller: TestUser?) throws -> TestResponse {
        try request(.post, "/api/conversations/\(conversation)/participants/", json: AddParticipants(user_ids: users.map(\.idString)), token: caller?.token)
    }

    /// `DELETE /api/conversations/{id}/participants/{user_id}/` as `caller` (anonymous when nil).
    func removeParticipant(_ user: TestUser, from conversation: String, as caller: TestUser?) throws -> TestResponse {
        try request(.delete, "/api/conversations/\(conversation)/participants/\(user.idString)/", token: caller?.token)
    }

    /// The participants' user ids, straight from the table.
    func participantIDs(_ conversation: String) throws -> Set<UUID> {
        guard let id = UUID(uuidString: conversation) else { throw MessagingTestFailure("not a conversation id: \(conversation)") }
        return Set(try database.read { connection in
            try connection.query("SELECT user_id FROM conversation_participants WHERE conversation_id = \(id)").map { try $0.decode(UUID.self) }
        })
    }

    /// Every message of a conversation as `viewer` lists it, oldest first.
    func messages(in conversation: String, as viewer: TestUser) throws -> [[String: Any]] {
        let response = try request(.get, "/api/conversations/\(conversation)/messages/?page_size=100", token: viewer.token)
        guard response.status == 200 else { throw MessagingTestFailure("listing failed: \(response.status) \(response.text)") }
        return response.results
    }

    /// The conversation's `unread_count` in `viewer`'s list (nil when it is not listed).
    func unreadCount(of conversation: String, for viewer: TestUser) throws -> Int? {
        let list = try request(.get, "/api/conversations/?page_size=100", token: viewer.token)
        return list.results.first { $0["conversation_id"] as? String == conversation }?["unread_count"] as? Int
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A message object's `kind`, `sender.user_id`, `member.user_id`.
    var kind: String? { self["kind"] as? String }
    var senderID: String? { (self["sender"] as? [String: Any])?["user_id"] as? String }
    var memberID: String? { (self["member"] as? [String: Any])?["user_id"] as? String }
}
