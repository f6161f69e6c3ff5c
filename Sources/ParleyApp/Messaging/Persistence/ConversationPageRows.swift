import FoundationEssentials

/// What ``ConversationPageRepository/open`` read, before the service decides what it means.
struct ConversationPageRows {
    /// Nil when there is no such conversation.
    var summary: ConversationSummary?
    var isParticipant: Bool
    /// False when the cursor names no message of this conversation (true without a cursor).
    var cursorFound: Bool
    /// The page's top-level messages and all their replies, in any order; it may also hold one
    /// more thread, which no id in `rootIDs` leads to (``MessageThread/build(rootIDs:from:)``
    /// shows only what the roots lead to).
    var messages: [Message]
    var rootIDs: [UUID]
    var hasEarlier: Bool
}
