import Foundation

struct InMemoryConversationRepository: ConversationRepository {
    let workspace: InMemoryWorkspace

    func create(title: String, createdBy: UUID, participantIDs: [UUID]) throws -> Conversation {
        let now = workspace.state.now()
        let conversation = Conversation(conversationID: UUID(), title: title, createdBy: createdBy, createdAt: now, lastMessageAt: now)
        workspace.state.conversations[conversation.conversationID] = conversation
        var members: [UUID: InMemoryMessagingState.Participant] = [:]
        for id in participantIDs {
            precondition(workspace.state.users[id] != nil, "foreign key: unknown user")
            members[id] = .init(joinedAt: workspace.state.now(), lastReadAt: nil)
        }
        workspace.state.participants[conversation.conversationID] = members
        return conversation
    }

    func access(_ conversationID: UUID, userID: UUID, lock: Bool) throws -> ConversationAccess? {
        guard let conversation = workspace.state.conversations[conversationID] else { return nil }
        return ConversationAccess(conversation: conversation, isParticipant: workspace.state.participants[conversationID]?[userID] != nil)
    }

    func count(for userID: UUID) throws -> Int {
        workspace.state.participants.values.filter { $0[userID] != nil }.count
    }

    func summaries(for userID: UUID, offset: Int, limit: Int) throws -> [ConversationSummary] {
        let state = workspace.state
        let mine = state.conversations.values
            .filter { state.participants[$0.conversationID]?[userID] != nil }
            .sorted { ($0.lastMessageAt, $0.conversationID.uuidString) > ($1.lastMessageAt, $1.conversationID.uuidString) }
        return mine.dropFirst(offset).prefix(limit).compactMap { summary(of: $0, for: userID) }
    }

    func summary(_ conversationID: UUID, for userID: UUID) throws -> ConversationSummary? {
        guard let conversation = workspace.state.conversations[conversationID] else { return nil }
        return summary(of: conversation, for: userID)
    }

    private func summary(of conversation: Conversation, for userID: UUID) -> ConversationSummary? {
        let state = workspace.state
        guard let members = state.participants[conversation.conversationID], let me = members[userID] else { return nil }
        let participants = members
            .sorted { ($0.value.joinedAt, state.users[$0.key]?.username ?? "") < ($1.value.joinedAt, state.users[$1.key]?.username ?? "") }
            .compactMap { state.users[$0.key] }
        let messages = state.messages.values.filter { $0.conversationID == conversation.conversationID }
        let last = messages.max { ($0.sentAt, $0.messageID.uuidString) < ($1.sentAt, $1.messageID.uuidString) }
        let unread = messages.filter { $0.senderID != userID && $0.sentAt > (me.lastReadAt ?? .distantPast) }.count
        return ConversationSummary(conversation: conversation, participants: participants, lastMessage: last.map(state.message), unreadCount: unread)
    }

    func delete(_ conversationID: UUID) throws {
        workspace.state.deleteConversation(conversationID)
    }

    func markRead(_ conversationID: UUID, userID: UUID) throws -> Date? {
        guard let member = workspace.state.participants[conversationID]?[userID] else { return nil }
        let now = workspace.state.now()
        let mark = max(member.lastReadAt ?? .distantPast, now)
        workspace.state.participants[conversationID]?[userID]?.lastReadAt = mark
        return mark
    }

    func touch(_ conversationID: UUID, at date: Date) throws {
        guard let conversation = workspace.state.conversations[conversationID] else { return }
        workspace.state.conversations[conversationID]?.lastMessageAt = max(conversation.lastMessageAt, date)
    }
}
