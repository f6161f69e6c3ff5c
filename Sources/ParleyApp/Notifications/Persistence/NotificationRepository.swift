import FoundationEssentials

/// notifications.
protocol NotificationRepository {
    /// One notification of `message` for `recipientID` alone (a member added by it).
    func notify(_ recipientID: UUID, of message: Message) throws

    /// Deletes `recipientID`'s notifications of a conversation they are no longer in: their
    /// previews show the messages' current bodies.
    func deleteAll(recipientID: UUID, conversationID: UUID) throws

    func count(recipientID: UUID, read: Bool?) throws -> Int

    /// Newest first (then by id). `read`: nil for all, false for unread only, true for read only.
    func list(recipientID: UUID, read: Bool?, offset: Int, limit: Int) throws -> [MessageNotification]

    /// Marks one of `recipientID`'s notifications read (idempotent); nil when it is not theirs.
    func markRead(_ notificationID: UUID, recipientID: UUID) throws -> MessageNotification?

    /// Marks every unread notification of `recipientID` read; returns how many changed.
    func markAllRead(recipientID: UUID) throws -> Int

    /// Marks `recipientID`'s notifications of one conversation read.
    @discardableResult
    func markRead(conversationID: UUID, recipientID: UUID) throws -> Int
}

