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
    /// The participants as the API's JSON array, when the list was read in that form
    /// (``ParticipantsForm/json``); `participants` is then empty.
    var participantsJSON: String? = nil
    var lastMessage: Message?
    /// Messages from others sent after the viewer's `last_read_at`.
    var unreadCount: Int
}
