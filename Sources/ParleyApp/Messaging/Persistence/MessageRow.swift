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

    /// The select list over `messages m JOIN users u ON u.user_id = m.sender_id`.
    static let columns: StaticString = """
        m.message_id, m.conversation_id, m.sender_id, u.username AS sender_username, m.parent_message_id,
        m.message_body, m.sent_at, m.edited_at
        """

    var message: Message {
        Message(
            messageID: messageId, conversationID: conversationId,
            sender: UserReference(userID: senderId, username: senderUsername),
            parentMessageID: parentMessageId, body: messageBody, sentAt: sentAt, editedAt: editedAt)
    }
}
