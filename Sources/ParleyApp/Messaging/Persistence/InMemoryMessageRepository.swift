import Foundation

struct InMemoryMessageRepository: MessageRepository {
    let workspace: InMemoryWorkspace

    func insert(conversationID: UUID, senderID: UUID, draft: MessageDraft) throws -> Message {
        precondition(workspace.state.conversations[conversationID] != nil, "foreign key: unknown conversation")
        if let parent = draft.parentMessageID {
            precondition(workspace.state.messages[parent]?.conversationID == conversationID, "foreign key: parent in another conversation")
        }
        let stored = InMemoryMessagingState.StoredMessage(
            messageID: UUID(), conversationID: conversationID, senderID: senderID, parentMessageID: draft.parentMessageID,
            body: draft.body, sentAt: workspace.state.now(), editedAt: nil)
        workspace.state.messages[stored.messageID] = stored
        return workspace.state.message(stored)
    }

    func find(_ messageID: UUID, lock: Bool) throws -> Message? {
        workspace.state.messages[messageID].map(workspace.state.message)
    }

    func count(_ filter: MessageFilter) throws -> Int {
        matching(filter).count
    }

    func list(_ filter: MessageFilter, ordering: MessageOrdering, offset: Int, limit: Int) throws -> [Message] {
        var rows = matching(filter).sorted(by: Self.ascending)
        if ordering == .newestFirst { rows.reverse() }
        return rows.dropFirst(offset).prefix(limit).map(workspace.state.message)
    }

    func seek(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) throws -> [Message] {
        let key = (cursor.sentAt, cursor.messageID.uuidString)
        var rows = matching(filter).sorted(by: Self.ascending)
        switch direction {
        case .ascending:
            rows = rows.filter { ($0.sentAt, $0.messageID.uuidString) > key }
        case .descending:
            rows = rows.filter { ($0.sentAt, $0.messageID.uuidString) < key }.reversed()
        }
        return rows.prefix(limit).map(workspace.state.message)
    }

    /// PostgreSQL compares uuids bytewise, which is the order of their uppercase hex text.
    private static func ascending(_ a: InMemoryMessagingState.StoredMessage, _ b: InMemoryMessagingState.StoredMessage) -> Bool {
        (a.sentAt, a.messageID.uuidString) < (b.sentAt, b.messageID.uuidString)
    }

    private func matching(_ filter: MessageFilter) -> [InMemoryMessagingState.StoredMessage] {
        let state = workspace.state
        return state.messages.values.filter { message in
            if let id = filter.conversationID, message.conversationID != id { return false }
            if let viewer = filter.visibleTo, state.participants[message.conversationID]?[viewer] == nil { return false }
            if let sender = filter.senderID, message.senderID != sender { return false }
            if let from = filter.sentFrom, message.sentAt < from { return false }
            if let until = filter.sentUntil, message.sentAt > until { return false }
            return true
        }
    }

    func edit(_ messageID: UUID, oldBody: String, newBody: String, editedBy: UUID) throws -> Message {
        let now = workspace.state.now()
        workspace.state.edits.append(.init(messageID: messageID, oldBody: oldBody, editedBy: editedBy, editedAt: now))
        workspace.state.messages[messageID]?.body = newBody
        workspace.state.messages[messageID]?.editedAt = now
        return workspace.state.message(workspace.state.messages[messageID]!)
    }

    func delete(_ messageID: UUID) throws {
        workspace.state.deleteMessage(messageID)
    }

    func edits(of messageID: UUID) throws -> [MessageEdit] {
        let state = workspace.state
        return state.edits.filter { $0.messageID == messageID }.sorted { $0.editedAt < $1.editedAt }.map {
            MessageEdit(oldBody: $0.oldBody, editedAt: $0.editedAt, editedBy: UserReference(userID: $0.editedBy, username: state.users[$0.editedBy]?.username ?? ""))
        }
    }

    func thread(rootID: UUID, maxDepth: Int) throws -> [Message] {
        let state = workspace.state
        guard let root = state.messages[rootID] else { return [] }
        var found = [root]
        var level = [rootID]
        var depth = 0
        while !level.isEmpty, depth < maxDepth {
            let parents = Set(level)
            let replies = state.messages.values.filter { $0.parentMessageID.map(parents.contains) ?? false }
            found += replies
            level = replies.map(\.messageID)
            depth += 1
        }
        return found.sorted(by: Self.ascending).map(state.message)
    }
}
