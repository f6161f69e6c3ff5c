import FoundationEssentials
import Postgres

extension PostgresNotificationRepository {
    func notify(_ recipientID: UUID, of message: Message) throws {
        try connection.execute("""
            INSERT INTO notifications (recipient_id, message_id, conversation_id, created_at)
            VALUES (\(recipientID), \(message.messageID), \(message.conversationID), \(message.sentAt))
            """)
    }

    func deleteAll(recipientID: UUID, conversationID: UUID) throws {
        // notifications_conversation_idx is (conversation_id, recipient_id).
        try connection.execute("""
            DELETE FROM notifications WHERE conversation_id = \(conversationID) AND recipient_id = \(recipientID)
            """)
    }
}
