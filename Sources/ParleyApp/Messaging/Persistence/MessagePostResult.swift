/// What ``MessageRepository/post(conversationID:senderID:draft:)`` did: the message it stored,
/// or why it stored nothing.
enum MessagePostResult {
    case posted(Message)
    case conversationNotFound
    case notParticipant
    /// The parent is no message (or was deleted meanwhile).
    case parentNotFound
    case parentInAnotherConversation
    /// The parent is a system line (a change of membership), which cannot be replied to.
    case parentIsSystemLine
}
