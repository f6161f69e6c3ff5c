import Foundation
import Postgres

/// messages and message_edits in PostgreSQL.
///
/// Query plans, measured with EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL 15 with one conversation
/// of 1,000,000 messages (see the final notes of issue 4 for the session):
///
/// - keyset seek (`?after=` / `?before=`): `Index Scan using messages_conversation_sent_idx`
///   with `Index Cond: conversation_id = $1 AND ROW(sent_at, message_id) > ROW($2, $3)`
///   (`Index Scan Backward` for the other direction), `Limit` on top; the same few buffers
///   and about 0.1 ms at message 10 or message 999,980.
/// - numbered page: the same index scan, but OFFSET reads and discards every row before the
///   page: page 1 costs 0.1 ms, page 49,000 (offset 980,000) about 300 ms. Hence the cursor.
/// - `count(*)` for `count`: `Index Only Scan` on the same index, linear in the conversation's
///   length (about 60 ms at 1,000,000 with a vacuumed visibility map). Keyset pages skip it.
/// - thread: `Recursive Union` whose recursive step is a nested loop over
///   `messages_parent_idx`, one index probe per reply.
struct PostgresMessageRepository: MessageRepository {
    let connection: PostgresConnection

    func insert(conversationID: UUID, senderID: UUID, draft: MessageDraft) throws -> Message {
        try connection.query("""
            WITH m AS (
                INSERT INTO messages (conversation_id, sender_id, parent_message_id, message_body)
                VALUES (\(conversationID), \(senderID), \(draft.parentMessageID), \(draft.body))
                RETURNING *
            )
            SELECT \(unsafeRaw: MessageRow.columns.description) FROM m JOIN users u ON u.user_id = m.sender_id
            """)[0].decode(MessageRow.self).message
    }

    func find(_ messageID: UUID, lock: Bool) throws -> Message? {
        try connection.query("""
            SELECT \(unsafeRaw: MessageRow.columns.description)
            FROM messages m JOIN users u ON u.user_id = m.sender_id
            WHERE m.message_id = \(messageID)
            \(unsafeRaw: lock ? "FOR UPDATE OF m" : "")
            """).first?.decode(MessageRow.self).message
    }

    func count(_ filter: MessageFilter) throws -> Int {
        var sql = SQLBuilder("SELECT count(*) AS total FROM messages m WHERE true")
        Self.appendConditions(filter, to: &sql)
        return try connection.query(sql.query)[0].decode(Int.self, column: "total")
    }

    func list(_ filter: MessageFilter, ordering: MessageOrdering, offset: Int, limit: Int) throws -> [Message] {
        var sql = Self.select()
        Self.appendConditions(filter, to: &sql)
        switch ordering {
        case .oldestFirst: sql.append(" ORDER BY m.sent_at, m.message_id LIMIT ")
        case .newestFirst: sql.append(" ORDER BY m.sent_at DESC, m.message_id DESC LIMIT ")
        }
        sql.bind(limit)
        sql.append(" OFFSET ")
        sql.bind(offset)
        return try connection.query(sql.query).decode(MessageRow.self).map(\.message)
    }

    func seek(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) throws -> [Message] {
        try connection.query(Self.seekQuery(filter, from: cursor, direction: direction, limit: limit)).decode(MessageRow.self).map(\.message)
    }

    /// The statement `seek` runs (tests EXPLAIN it).
    static func seekQuery(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) -> PostgresQuery {
        var sql = select()
        appendConditions(filter, to: &sql)
        // A row comparison on the index's trailing columns: an index condition, so the scan
        // starts at the cursor instead of counting its way there.
        switch direction {
        case .ascending: sql.append(" AND (m.sent_at, m.message_id) > (")
        case .descending: sql.append(" AND (m.sent_at, m.message_id) < (")
        }
        sql.bind(cursor.sentAt)
        sql.append(", ")
        sql.bind(cursor.messageID)
        switch direction {
        case .ascending: sql.append(") ORDER BY m.sent_at, m.message_id LIMIT ")
        case .descending: sql.append(") ORDER BY m.sent_at DESC, m.message_id DESC LIMIT ")
        }
        sql.bind(limit)
        return sql.query
    }

    private static func select() -> SQLBuilder {
        SQLBuilder("""
            SELECT m.message_id, m.conversation_id, m.sender_id, u.username AS sender_username, m.parent_message_id,
                   m.message_body, m.sent_at, m.edited_at
            FROM messages m JOIN users u ON u.user_id = m.sender_id
            WHERE true
            """)
    }

    private static func appendConditions(_ filter: MessageFilter, to sql: inout SQLBuilder) {
        if let conversationID = filter.conversationID {
            sql.append(" AND m.conversation_id = ")
            sql.bind(conversationID)
        }
        if let viewer = filter.visibleTo {
            sql.append(" AND EXISTS (SELECT 1 FROM conversation_participants vp WHERE vp.conversation_id = m.conversation_id AND vp.user_id = ")
            sql.bind(viewer)
            sql.append(")")
        }
        if let sender = filter.senderID {
            sql.append(" AND m.sender_id = ")
            sql.bind(sender)
        }
        if let from = filter.sentFrom {
            sql.append(" AND m.sent_at >= ")
            sql.bind(from)
        }
        if let until = filter.sentUntil {
            sql.append(" AND m.sent_at <= ")
            sql.bind(until)
        }
    }

    func edit(_ messageID: UUID, oldBody: String, newBody: String, editedBy: UUID) throws -> Message {
        try connection.query("""
            WITH kept AS (
                INSERT INTO message_edits (message_id, old_body, edited_by) VALUES (\(messageID), \(oldBody), \(editedBy))
                RETURNING edited_at
            ), m AS (
                UPDATE messages SET message_body = \(newBody), edited_at = (SELECT edited_at FROM kept)
                WHERE message_id = \(messageID)
                RETURNING *
            )
            SELECT \(unsafeRaw: MessageRow.columns.description) FROM m JOIN users u ON u.user_id = m.sender_id
            """)[0].decode(MessageRow.self).message
    }

    func delete(_ messageID: UUID) throws {
        try connection.execute("DELETE FROM messages WHERE message_id = \(messageID)")
    }

    func edits(of messageID: UUID) throws -> [MessageEdit] {
        try connection.query("""
            SELECT e.old_body, e.edited_at, e.edited_by, u.username
            FROM message_edits e JOIN users u ON u.user_id = e.edited_by
            WHERE e.message_id = \(messageID)
            ORDER BY e.edited_at, e.edit_id
            """).decode((String, Date, UUID, String).self).map { oldBody, editedAt, editedBy, username in
            MessageEdit(oldBody: oldBody, editedAt: editedAt, editedBy: UserReference(userID: editedBy, username: username))
        }
    }

    func thread(rootID: UUID, maxDepth: Int) throws -> [Message] {
        try connection.query("""
            WITH RECURSIVE thread AS (
                SELECT message_id, conversation_id, sender_id, parent_message_id, message_body, sent_at, edited_at, 0 AS depth
                FROM messages WHERE message_id = \(rootID)
              UNION ALL
                SELECT r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at,
                       t.depth + 1
                FROM messages r JOIN thread t ON r.parent_message_id = t.message_id
                WHERE t.depth < \(maxDepth)
            )
            SELECT \(unsafeRaw: MessageRow.columns.description)
            FROM thread m JOIN users u ON u.user_id = m.sender_id
            ORDER BY m.sent_at, m.message_id
            """).decode(MessageRow.self).map(\.message)
    }
}
