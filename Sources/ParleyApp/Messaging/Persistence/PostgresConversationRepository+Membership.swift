import FoundationEssentials
import Postgres

extension PostgresConversationRepository {
    // The lock is a statement of its own: a statement that waited for it still reads with the
    // snapshot it started with, so who is in the conversation is read afterwards, fresh. Two
    // last members leaving at once would otherwise each see the other still there, and
    // neither would delete the conversation.
    func lockForMembershipChange(_ conversationID: UUID) throws -> Bool {
        try !connection.query("""
            SELECT 1 FROM conversations WHERE conversation_id = \(conversationID) FOR NO KEY UPDATE
            """).isEmpty
    }

    func addParticipants(_ conversationID: UUID, userIDs: [UUID]) throws -> [UUID] {
        guard !userIDs.isEmpty else { return [] }
        let rows: PostgresRows
        do {
            rows = try connection.query("""
                INSERT INTO conversation_participants (conversation_id, user_id, last_read_at)
                SELECT \(conversationID), member, clock_timestamp() FROM unnest(\(userIDs)) AS member
                ON CONFLICT (conversation_id, user_id) DO NOTHING
                RETURNING user_id
                """)
        } catch let error as PostgresError where error.code == .foreignKeyViolation && error.constraintName == Self.participantUserForeignKey {
            // An account deleted after the service saw it: the answer the service gives for it.
            throw MessagingError.invalid("user_ids", "One of these users no longer exists.")
        }
        let added = Set(try rows.map { try $0.decode(UUID.self, column: "user_id") })
        return userIDs.filter { added.contains($0) }
    }

    /// The user_id foreign key of conversation_participants (migration 0005).
    static let participantUserForeignKey = "conversation_participants_user_id_fkey"

    func removeParticipant(_ conversationID: UUID, userID: UUID) throws -> Bool {
        try connection.execute("""
            DELETE FROM conversation_participants WHERE conversation_id = \(conversationID) AND user_id = \(userID)
            """) == 1
    }

    func exists(_ conversationID: UUID) throws -> Bool {
        try !connection.query("SELECT 1 FROM conversations WHERE conversation_id = \(conversationID)").isEmpty
    }
}
