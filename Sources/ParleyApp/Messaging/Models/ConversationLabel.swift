import FoundationEssentials

/// How a conversation is named in lists where only its id is known (notifications): its title,
/// and its participants' usernames for the untitled ones.
struct ConversationLabel: Sendable, Equatable {
    var title: String
    var usernames: [String]
}
