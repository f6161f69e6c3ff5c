import FoundationEssentials

/// A conversation row.
struct Conversation: Sendable, Equatable {
    var conversationID: UUID
    var title: String
    /// Nil once the creator's account is deleted.
    var createdBy: UUID?
    var createdAt: Date
    /// Last activity: the creation time until the first message, then the newest message's.
    var lastMessageAt: Date
}

/// A conversation as one participant sees it in lists and details.
struct ConversationSummary: Sendable, Equatable {
    var conversation: Conversation
    var participants: [UserSummary]
    var lastMessage: Message?
    /// Messages from others sent after the viewer's `last_read_at`.
    var unreadCount: Int
}
