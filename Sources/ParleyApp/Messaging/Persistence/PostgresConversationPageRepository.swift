import Foundation
import Postgres

/// The conversation page in one pipeline: its statements do not depend on one another, so
/// they go to PostgreSQL together and come back in one round trip. Each runs in a transaction
/// of its own, in order, so the badge is counted after the marking.
struct PostgresConversationPageRepository: ConversationPageRepository {
    let connection: PostgresConnection

    func open(_ conversationID: UUID, viewerID: UUID, before: UUID?, limit: Int, maxDepth: Int) throws -> ConversationPageRows {
        var queries = [
            PostgresConversationRepository.viewQuery(conversationID, viewerID: viewerID),
            Self.markReadQuery(conversationID, viewerID: viewerID),
            PostgresMessageRepository.threadPageQuery(conversationID: conversationID, before: before, limit: limit, maxDepth: maxDepth),
            PostgresNotificationRepository.countQuery(recipientID: viewerID, read: false),
        ]
        if let before { queries.append(Self.cursorQuery(before, conversationID: conversationID)) }
        let outcomes = try connection.pipeline(queries)
        let view = try PostgresConversationRepository.view(outcomes[0].get())
        _ = try outcomes[1].get()
        let page = try PostgresMessageRepository.threadPage(outcomes[2].get(), limit: limit)
        let unread = try PostgresNotificationRepository.total(outcomes[3].get())
        let cursorFound = try before == nil || outcomes[4].get()[0].decode(Bool.self, column: "found")
        return ConversationPageRows(
            summary: view?.summary, isParticipant: view?.isParticipant ?? false, cursorFound: cursorFound,
            messages: page.messages, rootIDs: page.rootIDs, hasEarlier: page.hasEarlier, unreadNotifications: unread)
    }

    /// Marks the conversation and its notifications read for a participant with something
    /// unread in it, and writes nothing otherwise (no row version, no transaction id): a GET
    /// that changes nothing must not cost a write. The mark itself is
    /// ``PostgresConversationRepository/markRead(_:userID:)``'s.
    static func markReadQuery(_ conversationID: UUID, viewerID: UUID) -> PostgresQuery {
        """
        WITH mark AS (SELECT clock_timestamp() AS now),
        conversation_read AS (
            UPDATE conversation_participants p SET \(unsafeRaw: PostgresConversationRepository.readMark)
              FROM mark
             WHERE p.conversation_id = \(conversationID) AND p.user_id = \(viewerID) AND p.unread_count > 0
            RETURNING p.user_id
        ), notifications_read AS (
            UPDATE notifications n SET read_at = clock_timestamp()
             WHERE n.conversation_id = \(conversationID) AND n.recipient_id = \(viewerID) AND n.read_at IS NULL
               AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = \(conversationID) AND p.user_id = \(viewerID))
            RETURNING n.notification_id
        )
        SELECT (SELECT count(*) FROM conversation_read) AS conversations, (SELECT count(*) FROM notifications_read) AS notifications
        """
    }

    /// Whether `messageID` is a message of the conversation (the "earlier messages" cursor).
    static func cursorQuery(_ messageID: UUID, conversationID: UUID) -> PostgresQuery {
        "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = \(messageID) AND conversation_id = \(conversationID)) AS found"
    }
}
