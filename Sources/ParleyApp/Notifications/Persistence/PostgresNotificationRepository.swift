import FoundationEssentials
import Postgres

/// notifications in PostgreSQL.
///
/// The list walks `notifications_recipient_created_idx` (recipient_id, created_at DESC,
/// notification_id DESC) in order, or its partial twin `notifications_recipient_unread_idx`
/// (`WHERE read_at IS NULL`) for `?unread=true`, which holds only unread rows and so stays
/// small however many a user has read; no sort node either way.
struct PostgresNotificationRepository: NotificationRepository {
    let connection: PostgresConnection

    private struct Row: Decodable {
        var notificationId: UUID
        var recipientId: UUID
        var messageId: UUID
        var messagePreview: String
        var conversationId: UUID
        var senderId: UUID
        var senderUsername: String
        var createdAt: Date
        var readAt: Date?
        var messageKind: String

        var notification: MessageNotification {
            MessageNotification(
                notificationID: notificationId, recipientID: recipientId, messageID: messageId, messagePreview: messagePreview,
                conversationID: conversationId, sender: UserReference(userID: senderId, username: senderUsername),
                createdAt: createdAt, readAt: readAt, isAddition: messageKind == MessageKind.memberAdded.rawValue)
        }
    }

    /// Selects `Row` from `n` (a notifications row or RETURNING set) joined to its message and sender.
    private static let columns = """
        n.notification_id, n.recipient_id, n.message_id,
        CASE WHEN char_length(m.message_body) > \(MessageNotification.previewLength)
             THEN left(m.message_body, \(MessageNotification.previewLength)) || '…' ELSE m.message_body END AS message_preview,
        n.conversation_id, m.sender_id, u.username AS sender_username, n.created_at, n.read_at, m.kind AS message_kind
        """

    func count(recipientID: UUID, read: Bool?) throws -> Int {
        try Self.total(connection.query(Self.countQuery(recipientID: recipientID, read: read)))
    }

    /// The statement `count` runs (the conversation page sends it in its pipeline): the user's
    /// counters of migration 0016, one row however many notifications there are.
    static func countQuery(recipientID: UUID, read: Bool?) -> PostgresQuery {
        "SELECT coalesce((SELECT \(unsafeRaw: countExpression(read)) FROM users WHERE user_id = \(recipientID)), 0) AS total"
    }

    /// Fixed text: which of the counters, or their difference for the read ones.
    private static func countExpression(_ read: Bool?) -> String {
        switch read {
        case nil: "notification_count"
        case false?: "unread_notification_count"
        case true?: "notification_count - unread_notification_count"
        }
    }

    static func total(_ rows: PostgresRows) throws -> Int {
        try rows[0].decode(Int.self, column: "total")
    }

    /// Fixed text: the partial index's predicate for unread, its negation for read.
    private static func readCondition(_ read: Bool?) -> String {
        switch read {
        case nil: ""
        case false?: "AND n.read_at IS NULL"
        case true?: "AND n.read_at IS NOT NULL"
        }
    }

    func list(recipientID: UUID, read: Bool?, offset: Int, limit: Int) throws -> [MessageNotification] {
        try connection.query("""
            SELECT \(unsafeRaw: Self.columns)
            FROM notifications n
            JOIN messages m ON m.message_id = n.message_id
            JOIN users u ON u.user_id = m.sender_id
            WHERE n.recipient_id = \(recipientID) \(unsafeRaw: Self.readCondition(read))
            ORDER BY n.created_at DESC, n.notification_id DESC
            LIMIT \(limit) OFFSET \(offset)
            """).decode(Row.self).map(\.notification)
    }

    func markRead(_ notificationID: UUID, recipientID: UUID) throws -> MessageNotification? {
        try connection.query("""
            WITH n AS (
                UPDATE notifications SET read_at = coalesce(read_at, clock_timestamp())
                WHERE notification_id = \(notificationID) AND recipient_id = \(recipientID)
                RETURNING *
            )
            SELECT \(unsafeRaw: Self.columns)
            FROM n JOIN messages m ON m.message_id = n.message_id JOIN users u ON u.user_id = m.sender_id
            """).first?.decode(Row.self).notification
    }

    func markAllRead(recipientID: UUID) throws -> Int {
        try connection.execute("""
            UPDATE notifications SET read_at = clock_timestamp()
            WHERE recipient_id = \(recipientID) AND read_at IS NULL
            """)
    }

    func markRead(conversationID: UUID, recipientID: UUID) throws -> Int {
        try connection.execute("""
            UPDATE notifications SET read_at = clock_timestamp()
            WHERE conversation_id = \(conversationID) AND recipient_id = \(recipientID) AND read_at IS NULL
            """)
    }
}
