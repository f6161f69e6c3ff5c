import FoundationEssentials
import Postgres

/// The conversation page's reads in one pipeline: its statements do not depend on one another,
/// so they go to PostgreSQL together and come back in one round trip, behind the page's session
/// check when it rides with them (``DeferredSession``). They only read: the read mark, when
/// something is unread, follows in a write of its own, so a page that fails to load marks
/// nothing read and nothing is written behind a session check that has not passed.
struct PostgresConversationPageRepository: ConversationPageRepository {
    let connection: PostgresConnection

    func open(_ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, maxDepth: Int) throws -> ConversationPageRows {
        var queries = [
            PostgresConversationRepository.viewQuery(conversationID, viewerID: viewerID),
            PostgresMessageRepository.threadPageQuery(conversationID: conversationID, before: before, limit: limit, maxDepth: maxDepth),
        ]
        if let before { queries.append(Self.cursorQuery(before, conversationID: conversationID)) }
        let outcomes = try connection.pipeline(queries, sync: .once)
        let view = try PostgresConversationRepository.view(outcomes[0].get())
        var page = try PostgresMessageRepository.threadPage(outcomes[1].get(), limit: limit)
        let cursorFound = try before == nil || outcomes[2].get()[0].decode(Bool.self, column: "found")
        if let summary = view?.summary, view?.isParticipant == true {
            try ParticipantNames.complete(&page.messages, unnamed: page.unnamedSenders, connection: connection) { id in
                summary.participants.first { $0.userID == id }?.username
            }
        } else {
            // Nobody is shown these (the service answers 404 or 403), so nobody is looked up.
            page.messages = []
            page.rootIDs = []
        }
        return ConversationPageRows(
            summary: view?.summary, isParticipant: view?.isParticipant ?? false, cursorFound: cursorFound,
            messages: page.messages, rootIDs: page.rootIDs, hasEarlier: page.hasEarlier)
    }

    func markRead(_ conversationID: UUID, viewerID: UUID, seenUnread: Int, notifications: Bool) throws -> Int? {
        var queries = [Self.markReadQuery(conversationID, viewerID: viewerID, seenUnread: seenUnread, notifications: notifications)]
        if notifications { queries.append(PostgresNotificationRepository.countQuery(recipientID: viewerID, read: false)) }
        // One transaction (one sync, decision 0016): the badge is counted after the marking.
        let outcomes = try connection.pipeline(queries, sync: .once)
        _ = try outcomes[0].get()
        return notifications ? try PostgresNotificationRepository.total(outcomes[1].get()) : nil
    }

    /// Marks the conversation and its notifications read while the viewer's unread count is
    /// the `seenUnread` the page read, and writes nothing otherwise. The function (migration
    /// 0021) checks before it updates: a statement whose UPDATEs matched nothing still cost
    /// PostgreSQL most of what one that marked did. `notifications`: the viewer has some unread
    /// (their session says).
    ///
    /// The same check also gates the call (a one-time filter: the function is not called when
    /// the count has moved, and the statement returns no row).
    static func markReadQuery(_ conversationID: UUID, viewerID: UUID, seenUnread: Int, notifications: Bool) -> PostgresQuery {
        """
        SELECT m.marked_conversations AS conversations, m.marked_notifications AS notifications
          FROM conversation_mark_read(\(conversationID), \(viewerID), true, \(notifications)) m
         WHERE EXISTS (SELECT 1 FROM conversation_participants p
                        WHERE p.conversation_id = \(conversationID) AND p.user_id = \(viewerID) AND p.unread_count = \(seenUnread))
        """
    }

    /// Whether `messageID` is a message of the conversation (the "earlier messages" cursor).
    static func cursorQuery(_ messageID: UUID, conversationID: UUID) -> PostgresQuery {
        "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = \(messageID) AND conversation_id = \(conversationID)) AS found"
    }
}
