/// What taking someone out of a conversation came to.
enum ParticipantRemoval: Sendable, Equatable {
    /// Someone else was removed.
    case removed
    /// The caller left; others remain.
    case left
    /// The last participant left: the conversation is gone, with everything in it.
    case conversationDeleted
}
