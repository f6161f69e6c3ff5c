import FoundationEssentials

/// A notification: `notification_id`, `message` ({message_id, body_preview}), `conversation`,
/// `sender`, `created_at`, `read`, `read_at`.
struct NotificationJSON: Encodable {
    var notification: MessageNotification

    init(_ notification: MessageNotification) { self.notification = notification }

    struct MessagePreview: Encodable {
        var messageID: String
        var bodyPreview: String
        enum CodingKeys: String, CodingKey { case messageID = "message_id", bodyPreview = "body_preview" }
    }

    enum CodingKeys: String, CodingKey {
        case notificationID = "notification_id", message, conversation, sender, createdAt = "created_at", read, readAt = "read_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(notification.notificationID.apiString, forKey: .notificationID)
        try container.encode(MessagePreview(messageID: notification.messageID.apiString, bodyPreview: notification.messagePreview), forKey: .message)
        try container.encode(notification.conversationID.apiString, forKey: .conversation)
        try container.encode(UserReferenceJSON(notification.sender), forKey: .sender)
        try container.encode(notification.createdAt, forKey: .createdAt)
        try container.encode(notification.isRead, forKey: .read)
        try container.encode(notification.readAt, forKey: .readAt)
    }
}
