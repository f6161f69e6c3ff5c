/// What ``MessageRepository/post(conversationID:senderID:draft:)`` did: the message it stored,
/// or why it stored nothing.
enum MessagePostResult {
    case posted(Message)
    case conversationNotFound
    case notParticipant
    /// The parent is no message (or was deleted meanwhile).
    case parentNotFound
    case parentInAnotherConversation
}
