import FoundationEssentials

/// Conversations: who may see, create, delete and mark them read. No HTTP here: refusals are
/// ``MessagingError``s.
struct ConversationService {
    let store: any MessagingStore

    static let maxTitleLength = 255

    /// The viewer's conversations, most recent activity first; `participants` says in which form
    /// they come (the API writes them as stored JSON).
    func list(for viewerID: UUID, page: PageRequest, participants: ParticipantsForm = .values) throws -> Page<ConversationSummary> {
        try store.read { repositories in
            let (items, total) = try repositories.conversations.summaries(
                for: viewerID, offset: page.offset, limit: page.size, participants: participants)
            guard page.exists(total: total) else { throw MessagingError.invalidPage }
            return Page(items: items, total: total, request: page)
        }
    }

    /// Starts a conversation between the creator and `participantIDs` (duplicates and the
    /// creator's own id are folded in). Every id must be an existing user.
    func create(by creator: AuthenticatedUser, participantIDs: [UUID], title: String?) throws -> ConversationSummary {
        let title = title ?? ""
        try MessageService.checkText(title, field: "title", maxLength: Self.maxTitleLength, allowBlank: true)
        var members = [creator.id]
        for id in participantIDs where !members.contains(id) { members.append(id) }
        return try store.transaction { repositories in
            let existing = try repositories.users.existingUserIDs(members)
            let unknown = participantIDs.filter { !existing.contains($0) }
            if !unknown.isEmpty {
                throw MessagingError(
                    kind: .invalid, message: "Invalid input.",
                    fields: ["participant_ids": unknown.map { "Invalid pk \"\($0.apiString)\" - object does not exist." }])
            }
            let conversation = try repositories.conversations.create(title: title, createdBy: creator.id, participantIDs: members)
            guard let summary = try repositories.conversations.summary(conversation.conversationID, for: creator.id) else {
                throw MessagingError.conversationNotFound
            }
            return summary
        }
    }

    /// One conversation, for its participants (403 for anyone else, admins included: they
    /// moderate by deleting, they do not read other people's conversations).
    func detail(_ conversationID: UUID, for viewerID: UUID) throws -> ConversationSummary {
        try store.read { repositories in
            try Self.requireParticipant(repositories, conversationID, viewerID)
            guard let summary = try repositories.conversations.summary(conversationID, for: viewerID) else {
                throw MessagingError.conversationNotFound
            }
            return summary
        }
    }

    /// Deletes a conversation with its messages and notifications: its creator or an admin.
    func delete(_ conversationID: UUID, by user: AuthenticatedUser) throws {
        try store.transaction { repositories in
            guard let access = try repositories.conversations.access(conversationID, userID: user.id, lock: false) else {
                throw MessagingError.conversationNotFound
            }
            guard user.isAdmin || access.conversation.createdBy == user.id else { throw MessagingError.notCreator }
            try repositories.conversations.delete(conversationID)
        }
    }

    /// Marks everything in the conversation read for `user`: the unread count drops to 0 and
    /// the conversation's notifications are marked read too. Returns the new read mark.
    func markRead(_ conversationID: UUID, by user: AuthenticatedUser) throws -> Date {
        try store.transaction { repositories in
            try Self.requireParticipant(repositories, conversationID, user.id)
            guard let mark = try repositories.conversations.markRead(conversationID, userID: user.id) else {
                throw MessagingError.notParticipant
            }
            try repositories.notifications.markRead(conversationID: conversationID, recipientID: user.id)
            return mark
        }
    }

    /// 404 when the conversation does not exist, 403 when `user` is not in it.
    @discardableResult
    static func requireParticipant(
        _ repositories: MessagingRepositories, _ conversationID: UUID, _ userID: UUID, lock: Bool = false
    ) throws -> Conversation {
        guard let access = try repositories.conversations.access(conversationID, userID: userID, lock: lock) else {
            throw MessagingError.conversationNotFound
        }
        guard access.isParticipant else { throw MessagingError.notParticipant }
        return access.conversation
    }
}
