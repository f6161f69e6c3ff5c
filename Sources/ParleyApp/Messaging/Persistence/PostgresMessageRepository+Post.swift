import FoundationEssentials
import Postgres

extension PostgresMessageRepository {
    /// One statement, so one transaction of its own and one round trip: the conversation
    /// (locked FOR NO KEY UPDATE, see below) and the sender's place in it, the parent's
    /// conversation, then the message and its notifications as data-modifying CTEs that write
    /// only if the checks pass. The counters' trigger runs at the end of it, as after an INSERT
    /// of its own, and moves the conversation's last activity with its counts (migration 0019).
    ///
    /// The lock is the one the counters' UPDATE of the conversation row takes anyway, taken
    /// first: posts to one conversation then wait for each other before touching anything, where
    /// with FOR KEY SHARE each also key-shared the sender's, the recipients' and the
    /// conversation's rows while the others did, and PostgreSQL turned every such row's lockers
    /// into ever larger multixacts that every visibility check read (bench/README.md, "What a
    /// post costs").
    func post(conversationID: UUID, senderID: UUID, draft: MessageDraft) throws -> MessagePostResult {
        let rows: PostgresRows
        do {
            rows = try connection.query("""
                WITH target AS (
                    SELECT c.conversation_id,
                           EXISTS (SELECT 1 FROM conversation_participants p
                                   WHERE p.conversation_id = c.conversation_id AND p.user_id = \(senderID)) AS is_participant
                    FROM conversations c WHERE c.conversation_id = \(conversationID)
                    FOR NO KEY UPDATE OF c
                ), parent AS (
                    SELECT pm.conversation_id, pm.kind FROM messages pm WHERE pm.message_id = \(draft.parentMessageID)
                ), m AS (
                    INSERT INTO messages (conversation_id, sender_id, parent_message_id, message_body)
                    SELECT target.conversation_id, \(senderID), \(draft.parentMessageID), \(draft.body)
                    FROM target
                    WHERE target.is_participant
                      AND (\(draft.parentMessageID) IS NULL OR (
                          (SELECT parent.conversation_id FROM parent) = target.conversation_id
                          AND (SELECT parent.kind FROM parent) = 'message'))
                    RETURNING *
                ), notified AS (
                    INSERT INTO notifications (recipient_id, message_id, conversation_id, created_at)
                    SELECT p.user_id, m.message_id, p.conversation_id, m.sent_at
                    FROM m JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id <> m.sender_id
                )
                SELECT target.is_participant, (SELECT parent.conversation_id FROM parent) AS parent_conversation_id,
                       (SELECT parent.kind FROM parent) AS parent_kind,
                       \(unsafeRaw: MessageRow.columns.description)
                FROM target LEFT JOIN m ON true LEFT JOIN users u ON u.user_id = m.sender_id
                """)
        } catch let error as PostgresError where error.code == .foreignKeyViolation && error.constraintName == Self.parentForeignKey {
            // The parent was deleted after the statement saw it: the same answer as when it is gone.
            return .parentNotFound
        }
        guard let row = rows.first else { return .conversationNotFound }
        guard try row.decode(Bool.self, column: "is_participant") else { return .notParticipant }
        if draft.parentMessageID != nil {
            guard let parentConversation = try row.decode(UUID?.self, column: "parent_conversation_id") else { return .parentNotFound }
            guard parentConversation == conversationID else { return .parentInAnotherConversation }
            guard try row.decode(String?.self, column: "parent_kind") == MessageKind.message.rawValue else { return .parentIsSystemLine }
        }
        return .posted(try MessageRow.message(row, from: 3))
    }
}
