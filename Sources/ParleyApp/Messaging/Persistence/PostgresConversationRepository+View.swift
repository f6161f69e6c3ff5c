import FoundationEssentials
import Postgres

extension PostgresConversationRepository {
    /// One conversation as `viewerID` sees it, and whether they are in it, in one statement:
    /// the list's per-row part (participants, last message) over the conversation and the
    /// viewer's participant row, if any, so the caller tells 404 from 403 without reading the
    /// conversation again.
    static func viewQuery(_ conversationID: UUID, viewerID: UUID) -> PostgresQuery {
        var sql = SQLBuilder("""
            WITH page AS MATERIALIZED (
                SELECT c.conversation_id, c.title, c.created_by, c.created_at, c.last_message_at, c.participants,
                       coalesce(p.unread_count, 0) AS unread_count, 1::bigint AS total, p.user_id IS NOT NULL AS is_participant
                FROM conversations c
                LEFT JOIN conversation_participants p ON p.conversation_id = c.conversation_id AND p.user_id = 
            """)
        sql.bind(viewerID)
        sql.append(" WHERE c.conversation_id = ")
        sql.bind(conversationID)
        sql.append(pageTail)
        return sql.query
    }

    /// The conversation and whether the viewer is in it; nil when there is no such conversation.
    static func view(_ rows: PostgresRows) throws -> (summary: ConversationSummary, isParticipant: Bool)? {
        guard let row = try rows.first.map(SummaryRow.init) else { return nil }
        return (row.summary, row.isParticipant)
    }
}
