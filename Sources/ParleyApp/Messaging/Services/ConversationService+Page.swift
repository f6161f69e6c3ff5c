import FoundationEssentials

extension ConversationService {
    /// The conversation page for `viewerID`: the conversation (404 when there is none, 403 for
    /// anyone not in it) and up to `limit` threads before the message `before` (404 when it is
    /// not a message of this conversation), read in one round trip. Opening the page then marks
    /// the conversation and its notifications read when something in it was unread, and writes
    /// nothing otherwise.
    ///
    /// `knownUnreadNotifications`: the viewer's unread notifications as their session check read
    /// them, asked after the read (the check may have ridden with it, ``DeferredSession``).
    /// When that is 0 there are none to mark or count: the page leaves them out (the statement
    /// that marks them was planned afresh on every view, bench/README.md, "Parley's routes at
    /// database speed (issue 12)").
    func openPage(
        _ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, knownUnreadNotifications: @autoclosure () -> Int?
    ) throws -> ConversationPage {
        let rows = try store.read { repositories in
            try repositories.conversationPages.open(conversationID, viewerID: viewerID, before: before, limit: limit, maxDepth: MessageThread.maxDepth)
        }
        guard let summary = rows.summary else { throw MessagingError.conversationNotFound }
        guard rows.isParticipant else { throw MessagingError.notParticipant }
        guard rows.cursorFound else { throw MessagingError.invalidCursor }
        var unreadNotifications: Int?
        if summary.unreadCount > 0 {
            let notifications = knownUnreadNotifications() != 0
            unreadNotifications = try store.write { repositories in
                try repositories.conversationPages.markRead(
                    conversationID, viewerID: viewerID, seenUnread: summary.unreadCount, notifications: notifications)
            }
        }
        let threads = MessageThread.build(rootIDs: rows.rootIDs, from: rows.messages)
        return ConversationPage(
            summary: summary, threads: ConversationThreadPage(threads: threads, hasEarlier: rows.hasEarlier),
            unreadNotifications: unreadNotifications)
    }
}
