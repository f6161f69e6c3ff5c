import Foundation

/// The columns every message query selects, in the order `MessageRow.columns` lists them.
struct MessageRow: Decodable {
    var messageId: UUID
    var conversationId: UUID
    var senderId: UUID
    var senderUsername: String
    var parentMessageId: UUID?
    var messageBody: String
    var sentAt: Date
    var editedAt: Date?
    var kind: MessageKind
    var memberId: UUID?
    var memberUsername: String?

    /// The select list over `messages m JOIN users u ON u.user_id = m.sender_id`. The member of
    /// a system line is looked up only for those rows (CASE evaluates lazily), so the list
    /// queries keep their joins.
    static let columns: StaticString = """
        m.message_id, m.conversation_id, m.sender_id, u.username AS sender_username, m.parent_message_id,
        m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
        CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END AS member_username
        """

    var message: Message {
        Message(
            messageID: messageId, conversationID: conversationId,
            sender: UserReference(userID: senderId, username: senderUsername),
            parentMessageID: parentMessageId, body: messageBody, sentAt: sentAt, editedAt: editedAt,
            kind: kind, member: memberId.map { UserReference(userID: $0, username: memberUsername ?? "") })
    }
}
