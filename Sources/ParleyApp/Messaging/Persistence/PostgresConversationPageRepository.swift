import FoundationEssentials
import Postgres

/// The conversation page in one pipeline: its statements do not depend on one another, so
/// they go to PostgreSQL together and come back in one round trip. They run in order as one
/// transaction (one sync, decision 0016), so the badge is counted after the marking, and a
/// page that fails to load marks nothing read.
struct PostgresConversationPageRepository: ConversationPageRepository {
    let connection: PostgresConnection

    func open(_ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, maxDepth: Int, notifications: Bool) throws -> ConversationPageRows {
        var queries = [
            PostgresConversationRepository.viewQuery(conversationID, viewerID: viewerID),
            Self.markReadQuery(conversationID, viewerID: viewerID, notifications: notifications),
            PostgresMessageRepository.threadPageQuery(conversationID: conversationID, before: before, limit: limit, maxDepth: maxDepth),
        ]
        if notifications { queries.append(PostgresNotificationRepository.countQuery(recipientID: viewerID, read: false)) }
        if let before { queries.append(Self.cursorQuery(before, conversationID: conversationID)) }
        let outcomes = try connection.pipeline(queries, sync: .once)
        let view = try PostgresConversationRepository.view(outcomes[0].get())
        _ = try outcomes[1].get()
        var page = try PostgresMessageRepository.threadPage(outcomes[2].get(), limit: limit)
        let unread = notifications ? try PostgresNotificationRepository.total(outcomes[3].get()) : 0
        let cursorFound = try before == nil || outcomes[queries.count - 1].get()[0].decode(Bool.self, column: "found")
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
            messages: page.messages, rootIDs: page.rootIDs, hasEarlier: page.hasEarlier, unreadNotifications: unread)
    }

    /// Marks the conversation and its notifications read for a participant with something
    /// unread in it, and writes nothing otherwise (no row version, no transaction id): a GET
    /// that changes nothing must not cost a write. The function (migration 0021) checks before
    /// it updates: a statement whose UPDATEs matched nothing still cost PostgreSQL most of what
    /// one that marked did. `notifications`: the viewer has some unread (their session says).
    ///
    /// The same check also gates the call (a one-time filter: the function is not called when
    /// nothing is unread, and the statement returns no row), which spares the PL/pgSQL call on
    /// most views (bench/README.md, "The page's mark").
    static func markReadQuery(_ conversationID: UUID, viewerID: UUID, notifications: Bool) -> PostgresQuery {
        """
        SELECT m.marked_conversations AS conversations, m.marked_notifications AS notifications
          FROM conversation_mark_read(\(conversationID), \(viewerID), true, \(notifications)) m
         WHERE EXISTS (SELECT 1 FROM conversation_participants p
                        WHERE p.conversation_id = \(conversationID) AND p.user_id = \(viewerID) AND p.unread_count > 0)
        """
    }

    /// Whether `messageID` is a message of the conversation (the "earlier messages" cursor).
    static func cursorQuery(_ messageID: UUID, conversationID: UUID) -> PostgresQuery {
        "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = \(messageID) AND conversation_id = \(conversationID)) AS found"
    }
}
