import FoundationEssentials

/// The conversation page's reads, and its read mark after them.
protocol ConversationPageRepository {
    /// For `viewerID` on `conversationID`, in one round trip and writing nothing: the
    /// conversation and whether the viewer is in it, and up to `limit` top-level messages before
    /// the message `before` (the latest without it) with their replies down to `maxDepth` levels.
    func open(_ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, maxDepth: Int) throws -> ConversationPageRows
    /// Marks the conversation read for the viewer, and with `notifications` its notifications,
    /// if their unread count is still `seenUnread` (what ``open`` read): a message that came
    /// after the page was read stays unread. Returns the viewer's unread notifications after
    /// the marking when `notifications`, else nil.
    func markRead(_ conversationID: UUID, viewerID: UUID, seenUnread: Int, notifications: Bool) throws -> Int?
}
