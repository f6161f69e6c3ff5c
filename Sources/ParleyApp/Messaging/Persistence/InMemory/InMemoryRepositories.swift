import Foundation

struct InMemoryUserRepository: MessagingUserRepository {
    let workspace: InMemoryWorkspace

    func existingUserIDs(_ ids: [UUID]) throws -> Set<UUID> {
        Set(ids.filter { workspace.state.users[$0] != nil })
    }
}

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

struct InMemoryNotificationRepository: NotificationRepository {
    let workspace: InMemoryWorkspace

    func fanOut(_ message: Message) throws -> Int {
        let recipients = (workspace.state.participants[message.conversationID] ?? [:]).keys.filter { $0 != message.sender.userID }
        for recipient in recipients {
            let id = UUID()
            workspace.state.notifications[id] = .init(
                notificationID: id, recipientID: recipient, messageID: message.messageID,
                conversationID: message.conversationID, createdAt: message.sentAt, readAt: nil)
        }
        return recipients.count
    }

    func count(recipientID: UUID, read: Bool?) throws -> Int {
        matching(recipientID, read).count
    }

    func list(recipientID: UUID, read: Bool?, offset: Int, limit: Int) throws -> [MessageNotification] {
        matching(recipientID, read)
            .sorted { ($0.createdAt, $0.notificationID.uuidString) > ($1.createdAt, $1.notificationID.uuidString) }
            .dropFirst(offset).prefix(limit).compactMap(notification)
    }

    func markRead(_ notificationID: UUID, recipientID: UUID) throws -> MessageNotification? {
        guard let stored = workspace.state.notifications[notificationID], stored.recipientID == recipientID else { return nil }
        if stored.readAt == nil {
            let now = workspace.state.now()  // not inside the assignment: one access to `state` at a time
            workspace.state.notifications[notificationID]?.readAt = now
        }
        return notification(workspace.state.notifications[notificationID]!)
    }

    func markAllRead(recipientID: UUID) throws -> Int {
        let unread = matching(recipientID, false)
        let now = workspace.state.now()
        for stored in unread { workspace.state.notifications[stored.notificationID]?.readAt = now }
        return unread.count
    }

    func markRead(conversationID: UUID, recipientID: UUID) throws -> Int {
        let unread = matching(recipientID, false).filter { $0.conversationID == conversationID }
        let now = workspace.state.now()
        for stored in unread { workspace.state.notifications[stored.notificationID]?.readAt = now }
        return unread.count
    }

    private func matching(_ recipientID: UUID, _ read: Bool?) -> [InMemoryMessagingState.StoredNotification] {
        workspace.state.notifications.values.filter { stored in
            stored.recipientID == recipientID && (read.map { $0 == (stored.readAt != nil) } ?? true)
        }
    }

    private func notification(_ stored: InMemoryMessagingState.StoredNotification) -> MessageNotification? {
        let state = workspace.state
        guard let message = state.messages[stored.messageID] else { return nil }
        return MessageNotification(
            notificationID: stored.notificationID, recipientID: stored.recipientID, messageID: stored.messageID,
            messagePreview: MessageNotification.preview(of: message.body), conversationID: stored.conversationID,
            sender: UserReference(userID: message.senderID, username: state.users[message.senderID]?.username ?? ""),
            createdAt: stored.createdAt, readAt: stored.readAt)
    }
}

struct InMemoryIdempotencyRepository: IdempotencyRepository {
    let workspace: InMemoryWorkspace

    func find(userID: UUID, key: String) throws -> IdempotencyRecord? {
        guard let stored = workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)],
              stored.createdAt >= Date().addingTimeInterval(-Idempotency.lifetime)
        else { return nil }
        return IdempotencyRecord(fingerprint: stored.fingerprint, response: stored.response)
    }

    func claim(userID: UUID, key: String, fingerprint: String) throws -> Bool {
        if try find(userID: userID, key: key) != nil { return false }
        let now = workspace.state.now()
        workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)] =
            .init(fingerprint: fingerprint, response: StoredResponse(status: 0, body: []), createdAt: now)
        return true
    }

    func complete(userID: UUID, key: String, response: StoredResponse) throws {
        workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)]?.response = response
    }

    func purgeExpired(limit: Int) throws -> Int {
        let cutoff = Date().addingTimeInterval(-Idempotency.lifetime)
        let expired = workspace.state.idempotencyKeys.filter { $0.value.createdAt < cutoff }.prefix(limit)
        for (key, _) in expired { workspace.state.idempotencyKeys[key] = nil }
        return expired.count
    }
}
