import FoundationEssentials

/// One page of a conversation as the page shows it: up to `limit` top-level messages, oldest
/// first, each with every reply below it; and whether earlier top-level messages exist.
struct ConversationThreadPage: Sendable, Equatable {
    var threads: [MessageThread]
    var hasEarlier: Bool

    /// The cursor for the "Earlier messages" link: the oldest top-level message shown.
    var earliestRootID: UUID? { threads.first?.message.messageID }
}
