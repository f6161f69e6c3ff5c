import FoundationEssentials

/// What adding people to a conversation came to: the conversation as the one who added sees
/// it now, and who was actually added (people already in it are not).
struct ParticipantAddition: Sendable, Equatable {
    var conversation: ConversationSummary
    var added: [UUID]
}
