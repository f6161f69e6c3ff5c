import FoundationEssentials
import Postgres

/// The conversation page in one pipeline: its statements do not depend on one another, so
/// they go to PostgreSQL together and come back in one round trip. Each runs in a transaction
/// of its own, in order, so the badge is counted after the marking.
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
        let outcomes = try connection.pipeline(queries)
        let view = try PostgresConversationRepository.view(outcomes[0].get())
        _ = try outcomes[1].get()
        let page = try PostgresMessageRepository.threadPage(outcomes[2].get(), limit: limit)
        let unread = notifications ? try PostgresNotificationRepository.total(outcomes[3].get()) : 0
        let cursorFound = try before == nil || outcomes[queries.count - 1].get()[0].decode(Bool.self, column: "found")
        return ConversationPageRows(
            summary: view?.summary, isParticipant: view?.isParticipant ?? false, cursorFound: cursorFound,
            messages: page.messages, rootIDs: page.rootIDs, hasEarlier: page.hasEarlier, unreadNotifications: unread)
    }

    /// Marks the conversation and its notifications read for a participant with something
    /// unread in it, and writes nothing otherwise (no row version, no transaction id): a GET
    /// that changes nothing must not cost a write. The mark itself is
    /// ``PostgresConversationRepository/markRead(_:userID:)``'s.
    static func markReadQuery(_ conversationID: UUID, viewerID: UUID, notifications: Bool) -> PostgresQuery {
        // The notifications are found through the viewer's participant row (`viewer`, one row
        // or none), so their plan is an index probe with that row's values whatever the
        // statistics say; keyed by binds of their own, the generic plan was a sequential scan
        // on the bench's skewed data and every view planned the statement afresh. Without
        // `notifications` (the viewer has none unread) that half is left out: its own statement.
        """
        WITH mark AS (SELECT clock_timestamp() AS now),
        viewer AS MATERIALIZED (
            SELECT p.conversation_id, p.user_id FROM conversation_participants p
             WHERE p.conversation_id = \(conversationID) AND p.user_id = \(viewerID)
        ),
        conversation_read AS (
            UPDATE conversation_participants p SET \(unsafeRaw: PostgresConversationRepository.readMark)
              FROM mark, viewer v
             WHERE p.conversation_id = v.conversation_id AND p.user_id = v.user_id AND p.unread_count > 0
            RETURNING p.user_id
        )\(unsafeRaw: notifications ? Self.notificationsRead : "")
        SELECT (SELECT count(*) FROM conversation_read) AS conversations,
               \(unsafeRaw: notifications ? "(SELECT count(*) FROM notifications_read)" : "0::bigint") AS notifications
        """
    }

    /// The viewer's unread notifications of the conversation, marked read (fixed text, no binds:
    /// it reads the `viewer` row of ``markReadQuery(_:viewerID:notifications:)``).
    private static let notificationsRead = """
        , notifications_read AS (
            UPDATE notifications n SET read_at = clock_timestamp()
              FROM viewer v
             WHERE n.conversation_id = v.conversation_id AND n.recipient_id = v.user_id AND n.read_at IS NULL
            RETURNING n.notification_id
        )
        """

    /// Whether `messageID` is a message of the conversation (the "earlier messages" cursor).
    static func cursorQuery(_ messageID: UUID, conversationID: UUID) -> PostgresQuery {
        "SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = \(messageID) AND conversation_id = \(conversationID)) AS found"
    }
}
