import Foundation

// The JSON shapes of the messaging API. Ids are lowercase UUID text, dates ISO 8601 with a
// time zone (JSON.encoder()), and absent values are `null`, never missing keys.

/// `{"user_id", "username"}`.
struct UserReferenceJSON: Encodable {
    var userID: String
    var username: String

    init(_ user: UserReference) {
        userID = user.userID.apiString
        username = user.username
    }

    enum CodingKeys: String, CodingKey { case userID = "user_id", username }
}

/// `{"user_id", "username", "first_name", "last_name"}`.
struct ParticipantJSON: Encodable {
    var userID: String
    var username: String
    var firstName: String
    var lastName: String

    init(_ user: UserSummary) {
        userID = user.userID.apiString
        username = user.username
        firstName = user.firstName
        lastName = user.lastName
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, firstName = "first_name", lastName = "last_name"
    }
}

/// A message: `message_id`, `conversation`, `sender`, `message_body`, `parent_message`,
/// `sent_at`, `edited`, `edited_at`.
struct MessageJSON: Encodable {
    var message: Message

    init(_ message: Message) { self.message = message }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", conversation, sender, messageBody = "message_body", parentMessage = "parent_message"
        case sentAt = "sent_at", edited, editedAt = "edited_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.messageID.apiString, forKey: .messageID)
        try container.encode(message.conversationID.apiString, forKey: .conversation)
        try container.encode(UserReferenceJSON(message.sender), forKey: .sender)
        try container.encode(message.body, forKey: .messageBody)
        try container.encode(message.parentMessageID?.apiString, forKey: .parentMessage)
        try container.encode(message.sentAt, forKey: .sentAt)
        try container.encode(message.isEdited, forKey: .edited)
        try container.encode(message.editedAt, forKey: .editedAt)
    }
}

/// A conversation as the viewer sees it.
struct ConversationJSON: Encodable {
    var summary: ConversationSummary

    init(_ summary: ConversationSummary) { self.summary = summary }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", title, participants, createdBy = "created_by", createdAt = "created_at"
        case lastMessage = "last_message", unreadCount = "unread_count"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let conversation = summary.conversation
        try container.encode(conversation.conversationID.apiString, forKey: .conversationID)
        try container.encode(conversation.title, forKey: .title)
        try container.encode(summary.participants.map(ParticipantJSON.init), forKey: .participants)
        try container.encode(conversation.createdBy?.apiString, forKey: .createdBy)
        try container.encode(conversation.createdAt, forKey: .createdAt)
        try container.encode(summary.lastMessage.map(MessageJSON.init), forKey: .lastMessage)
        try container.encode(summary.unreadCount, forKey: .unreadCount)
    }
}

/// An earlier version: `old_body`, `edited_at`, `edited_by` ({user_id, username}).
struct MessageEditJSON: Encodable {
    var oldBody: String
    var editedAt: Date
    var editedBy: UserReferenceJSON

    init(_ edit: MessageEdit) {
        oldBody = edit.oldBody
        editedAt = edit.editedAt
        editedBy = UserReferenceJSON(edit.editedBy)
    }

    enum CodingKeys: String, CodingKey { case oldBody = "old_body", editedAt = "edited_at", editedBy = "edited_by" }
}

/// A message with `replies`: the same nodes, recursively (an empty array on leaves).
struct MessageThreadJSON: Encodable {
    var thread: MessageThread

    init(_ thread: MessageThread) { self.thread = thread }

    enum CodingKeys: String, CodingKey { case replies }

    func encode(to encoder: any Encoder) throws {
        try MessageJSON(thread.message).encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(thread.replies.map(MessageThreadJSON.init), forKey: .replies)
    }
}

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
