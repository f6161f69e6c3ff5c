import FoundationEssentials
import Postgres

extension PostgresMessageRepository {
    /// Two steps in one statement: a backward walk of `messages_conversation_roots_idx` for the
    /// page's top-level messages, whole rows (LIMIT n + 1, the extra one only says whether
    /// there are earlier ones), then the recursive descent over `messages_parent_idx`, as the
    /// thread query does, from the page's roots. Each sender's name is a primary-key probe per
    /// row: a join to `users` was planned as a hash of the whole table for twenty messages.
    ///
    /// `anchorID`, the "earlier messages" cursor, is looked up in the same statement (so the
    /// page needs no round trip of its own for it); an id that is not a message of this
    /// conversation gives an empty page.
    static func threadPageQuery(conversationID: UUID, before anchorID: UUID?, limit: Int, maxDepth: Int) -> PostgresQuery {
        var sql: SQLBuilder
        if let anchorID {
            sql = SQLBuilder("WITH RECURSIVE anchor AS (SELECT a.sent_at, a.message_id FROM messages a WHERE a.message_id = ")
            sql.bind(anchorID)
            sql.append(" AND a.conversation_id = ")
            sql.bind(conversationID)
            sql.append("), candidates AS (\n    SELECT ")
        } else {
            sql = SQLBuilder("WITH RECURSIVE candidates AS (\n    SELECT ")
        }
        sql.append(threadColumns)
        sql.append(" FROM messages r\n    WHERE r.parent_message_id IS NULL AND r.conversation_id = ")
        sql.bind(conversationID)
        if anchorID != nil {
            // Two scalar subqueries, not a row subquery: the pair stays an index condition.
            sql.append(" AND (r.sent_at, r.message_id) < ((SELECT sent_at FROM anchor), (SELECT message_id FROM anchor))")
        }
        sql.append(" ORDER BY r.sent_at DESC, r.message_id DESC LIMIT ")
        sql.bind(limit + 1)
        sql.append("""
            ), thread AS (
                SELECT roots.*, 0 AS depth FROM (SELECT * FROM candidates ORDER BY sent_at DESC, message_id DESC LIMIT 
            """)
        sql.bind(limit)
        sql.append(") roots\n  UNION ALL\n    SELECT ")
        sql.append(threadColumns)
        sql.append(", t.depth + 1 FROM messages r JOIN thread t ON r.parent_message_id = t.message_id WHERE t.depth < ")
        sql.bind(maxDepth)
        sql.append("""

            )
            SELECT m.message_id, m.conversation_id, m.sender_id,
                   (SELECT u.username FROM users u WHERE u.user_id = m.sender_id) AS sender_username,
                   m.parent_message_id, m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
                   CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END
                       AS member_username,
                   (SELECT count(*) FROM candidates) AS candidate_count
            FROM thread m
            ORDER BY m.sent_at, m.message_id
            """)
        return sql.query
    }

    private static let threadColumns: StaticString =
        "r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at, r.kind, r.member_id"

    /// The page's messages, its top-level ones (oldest first) and whether earlier ones exist.
    static func threadPage(_ rows: PostgresRows, limit: Int) throws -> (messages: [Message], rootIDs: [UUID], hasEarlier: Bool) {
        var messages: [Message] = []
        messages.reserveCapacity(rows.count)
        for row in rows {
            messages.append(try MessageRow.message(row))
        }
        // The same count on every row, read once and by position: a lookup by name per row
        // showed in the page's profile (bench/README.md, "The conversation page's rows").
        let hasEarlier = try rows.first.map { try $0.decode(Int.self, at: MessageRow.columnCount) > limit } ?? false
        let rootIDs = messages.filter { $0.parentMessageID == nil }.map(\.messageID)
        return (messages, rootIDs, hasEarlier)
    }
}
