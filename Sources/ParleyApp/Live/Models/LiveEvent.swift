import FoundationEssentials

/// One outbox row, with what its payload needs as it is now: the message (nil once deleted)
/// and, for user channels, the conversation's and the header's unread counts.
struct LiveEvent {
    var eventID: Int64
    var channel: LiveChannel
    /// `message.created`, `message.edited`, `message.deleted`, `notification.created`, `unread.changed`.
    var name: String
    var conversationID: UUID
    var messageID: UUID?
    var message: Message?
    var unreadCount: Int?
    var unreadNotifications: Int?
}

/// What subscribers receive as the SSE `data:` (the event's name is the SSE `event:`). The
/// message is the same JSON the API returns for it; `message_id` is on every event that is
/// about one, so that a client drops the repeats of at-least-once delivery; `event_id` is the
/// outbox row's, unique per event.
struct LiveEventJSON: Encodable {
    var event: LiveEvent

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id", type, conversation, messageID = "message_id", message
        case unreadCount = "unread_count", unreadNotifications = "unread_notifications"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event.eventID, forKey: .eventID)
        try container.encode(event.name, forKey: .type)
        try container.encode(event.conversationID.apiString, forKey: .conversation)
        try container.encode(event.messageID?.apiString, forKey: .messageID)
        try container.encode(event.message.map(MessageJSON.init), forKey: .message)
        if case .user = event.channel {
            try container.encode(event.unreadCount, forKey: .unreadCount)
            try container.encode(event.unreadNotifications, forKey: .unreadNotifications)
        }
    }
}
