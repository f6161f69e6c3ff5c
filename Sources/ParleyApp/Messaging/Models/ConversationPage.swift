import FoundationEssentials

/// Everything the conversation page shows, read together (``ConversationService/openPage``):
/// the conversation (its `lastMessage` left nil: the threads show it), a page of its threads,
/// and the viewer's unread notifications once this conversation's are marked read (the
/// navigation's badge; nil when the page marked none, and the session check's count stands).
struct ConversationPage: Sendable, Equatable {
    var summary: ConversationSummary
    var threads: ConversationThreadPage
    var unreadNotifications: Int?
}
