import FoundationEssentials

/// The conversation page's reads and its read mark, as one exchange with the database.
protocol ConversationPageRepository {
    /// For `viewerID` on `conversationID`: the conversation and whether the viewer is in it; if
    /// they are and something in it is unread, the conversation and its notifications marked
    /// read (nothing is written otherwise); up to `limit` top-level messages before the message
    /// `before` (the latest without it) with their replies down to `maxDepth` levels; and the
    /// viewer's unread notifications after that. With `notifications` false (the caller knows
    /// the viewer has none unread) their notifications are neither marked nor counted (0).
    func open(_ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, maxDepth: Int, notifications: Bool) throws -> ConversationPageRows
}
