import FoundationEssentials

extension ConversationService {
    /// The conversation page for `viewer`, from one exchange with the database: the
    /// conversation (404 when there is none, 403 for anyone not in it), up to `limit` threads
    /// before the message `before` (404 when it is not a message of this conversation), and the
    /// viewer's unread notifications. Opening the page marks the conversation and its
    /// notifications read when something in it is unread, and writes nothing otherwise.
    ///
    /// `knownUnreadNotifications`: the viewer's unread notifications as their session check read
    /// them. When that is 0 there are none to mark or count: the page leaves them out (the
    /// statement that marks them was planned afresh on every view, bench/README.md, "Parley's
    /// routes at database speed (issue 12)").
    func openPage(
        _ conversationID: UUID, for viewer: AuthenticatedUser, before: UUID?, limit: Int, knownUnreadNotifications: Int?
    ) throws -> ConversationPage {
        let notifications = knownUnreadNotifications != 0
        let rows = try store.write { repositories in
            try repositories.conversationPages.open(
                conversationID, viewerID: viewer.id, before: before, limit: limit, maxDepth: MessageThread.maxDepth,
                notifications: notifications)
        }
        guard let summary = rows.summary else { throw MessagingError.conversationNotFound }
        guard rows.isParticipant else { throw MessagingError.notParticipant }
        guard rows.cursorFound else { throw MessagingError.invalidCursor }
        let threads = MessageThread.build(rootIDs: rows.rootIDs, from: rows.messages)
        return ConversationPage(
            summary: summary, threads: ConversationThreadPage(threads: threads, hasEarlier: rows.hasEarlier),
            unreadNotifications: rows.unreadNotifications)
    }
}
