import FoundationEssentials

/// conversations and conversation_participants.
protocol ConversationRepository {
    /// Inserts the conversation and its participants (`participantIDs` already includes the
    /// creator, without duplicates).
    func create(title: String, createdBy: UUID, participantIDs: [UUID]) throws -> Conversation

    /// The conversation and whether `userID` is in it; nil when there is no such conversation.
    /// With `lock`, the conversation row is locked against deletion (FOR KEY SHARE) until the
    /// transaction ends.
    func access(_ conversationID: UUID, userID: UUID, lock: Bool) throws -> ConversationAccess?

    /// How many conversations `userID` takes part in.
    func count(for userID: UUID) throws -> Int

    /// `userID`'s conversations, most recent activity first (then by id), with participants,
    /// last message and unread count, in a fixed number of queries whatever `limit` is; and how
    /// many conversations `userID` takes part in, counted by the same statement.
    func summaries(for userID: UUID, offset: Int, limit: Int, participants: ParticipantsForm) throws -> (items: [ConversationSummary], total: Int)

    /// One conversation as `userID` (a participant) sees it.
    func summary(_ conversationID: UUID, for userID: UUID) throws -> ConversationSummary?

    /// Labels of those of `conversationIDs` that `viewerID` takes part in, in one statement.
    func labels(of conversationIDs: [UUID], viewerID: UUID) throws -> [UUID: ConversationLabel]

    func delete(_ conversationID: UUID) throws

    /// Moves `userID`'s read mark to now; returns it (nil when not a participant).
    func markRead(_ conversationID: UUID, userID: UUID) throws -> Date?

    // Membership changes (PostgresConversationRepository+Membership.swift).

    /// Locks the conversation row FOR NO KEY UPDATE until the transaction ends, so that
    /// membership changes of one conversation take turns while posts (FOR KEY SHARE) go on;
    /// false when there is no such conversation. Read who is in it after this call.
    func lockForMembershipChange(_ conversationID: UUID) throws -> Bool

    /// Adds those of `userIDs` who are not in it yet; returns them, in the order given. Their
    /// read mark starts now: the history is theirs to read, not unread.
    func addParticipants(_ conversationID: UUID, userIDs: [UUID]) throws -> [UUID]

    /// Takes `userID` out; false when they were not in it. The last one out deletes the
    /// conversation with everything in it (migration 0005's trigger, same transaction).
    func removeParticipant(_ conversationID: UUID, userID: UUID) throws -> Bool

    func exists(_ conversationID: UUID) throws -> Bool
}

/// How a list of conversations carries their participants: as values (the pages), or as the
/// JSON text the API writes for them, kept by PostgreSQL with the values (decision 0018).
enum ParticipantsForm {
    case values
    /// ``ConversationSummary/participantsJSON`` is set and `participants` left empty.
    case json
}
