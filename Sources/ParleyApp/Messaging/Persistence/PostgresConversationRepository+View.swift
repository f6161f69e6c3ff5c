import FoundationEssentials
import Postgres

extension PostgresConversationRepository {
    /// One conversation as `viewerID` sees it, and whether they are in it, in one statement:
    /// the conversation row (with its participants) and the viewer's participant row, if any,
    /// so the caller tells 404 from 403 without reading the conversation again. The columns are
    /// the list's (``SummaryRow``), but the last message is left out (NULL): the page shows the
    /// messages themselves, and finding the last one cost more than the rest of the statement
    /// (bench/README.md, "One form per conversation page").
    static func viewQuery(_ conversationID: UUID, viewerID: UUID) -> PostgresQuery {
        var sql = SQLBuilder("""
            SELECT c.conversation_id, c.title, c.created_by, c.created_at, c.last_message_at,
                   coalesce(p.unread_count, 0) AS unread_count, c.participants,
                   NULL::uuid AS last_id, NULL::uuid AS last_sender_id, NULL::text AS last_sender_username,
                   NULL::uuid AS last_parent_id, NULL::text AS last_body, NULL::timestamptz AS last_sent_at,
                   NULL::timestamptz AS last_edited_at, NULL::text AS last_kind, NULL::uuid AS last_member_id,
                   NULL::text AS last_member_username, 1::bigint AS total, p.user_id IS NOT NULL AS is_participant
            FROM conversations c
            LEFT JOIN conversation_participants p ON p.conversation_id = c.conversation_id AND p.user_id = 
            """)
        sql.bind(viewerID)
        sql.append(" WHERE c.conversation_id = ")
        sql.bind(conversationID)
        return sql.query
    }

    /// The conversation and whether the viewer is in it; nil when there is no such conversation.
    static func view(_ rows: PostgresRows) throws -> (summary: ConversationSummary, isParticipant: Bool)? {
        guard let row = try rows.first.map({ try SummaryRow($0) }) else { return nil }
        return (row.summary, row.isParticipant)
    }
}
