import FoundationEssentials

/// A conversation and whether one user takes part in it.
struct ConversationAccess: Sendable, Equatable {
    var conversation: Conversation
    var isParticipant: Bool
}
