import FoundationEssentials

/// A user's notifications: list, mark one read, mark all read. Only the recipient sees or
/// touches a notification; anyone else's is "not found".
struct NotificationService {
    let store: any MessagingStore

    /// Newest first; `unread`: nil for all, true for unread only, false for read only (as a
    /// django-filter BooleanFilter reads `?unread=`).
    func list(for userID: UUID, unread: Bool?, page: PageRequest) throws -> Page<MessageNotification> {
        try store.read { repositories in
            let read = unread.map { !$0 }
            let total = try repositories.notifications.count(recipientID: userID, read: read)
            guard page.exists(total: total) else { throw MessagingError.invalidPage }
            let items = try repositories.notifications.list(recipientID: userID, read: read, offset: page.offset, limit: page.size)
            return Page(items: items, total: total, request: page)
        }
    }

    /// How many of `user`'s notifications are unread (the navigation's badge).
    func unreadCount(for user: AuthenticatedUser) throws -> Int {
        try store.read { try $0.notifications.count(recipientID: user.id, read: false) }
    }

    func markRead(_ notificationID: UUID, by user: AuthenticatedUser) throws -> MessageNotification {
        try store.transaction { repositories in
            guard let notification = try repositories.notifications.markRead(notificationID, recipientID: user.id) else {
                throw MessagingError.notificationNotFound
            }
            return notification
        }
    }

    /// Returns how many were unread.
    func markAllRead(by user: AuthenticatedUser) throws -> Int {
        try store.transaction { repositories in try repositories.notifications.markAllRead(recipientID: user.id) }
    }
}
