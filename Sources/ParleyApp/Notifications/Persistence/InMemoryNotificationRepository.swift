import Foundation

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
