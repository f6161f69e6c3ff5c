import FoundationEssentials
import Postgres

/// messages and message_edits in PostgreSQL.
///
/// An OFFSET page reads and drops every row before it, so its cost grows with its depth; a
/// keyset seek starts at its cursor in messages_conversation_sent_idx. Unfiltered counts read
/// the counters of migration 0009 instead of counting. Query plans and timings:
/// docs/decisions/0002-lists-over-large-tables.md.
///
/// So numbered pages stay for DRF clients and shallow pages, and deep history is read with the
/// keyset cursor, which is flat at any depth. Filtered counts (`?sender=`, dates) still scan.
struct PostgresMessageRepository: MessageRepository {
    let connection: PostgresConnection

    /// The (parent_message_id, conversation_id) foreign key of migration 0006.
    static let parentForeignKey = "messages_parent_message_id_conversation_id_fkey"

    func find(_ messageID: UUID, lock: Bool) throws -> Message? {
        try connection.query("""
            SELECT \(unsafeRaw: MessageRow.columns.description)
            FROM messages m JOIN users u ON u.user_id = m.sender_id
            WHERE m.message_id = \(messageID)
            \(unsafeRaw: lock ? "FOR UPDATE OF m" : "")
            """).first.map { try MessageRow.message($0) }
    }

    func count(_ filter: MessageFilter) throws -> Int {
        try connection.query(Self.countQuery(filter)).first?.decode(Int.self) ?? 0
    }

    /// The statement `count` runs: one row of one column (none for a conversation that is not there).
    static func countQuery(_ filter: MessageFilter) -> PostgresQuery {
        if filter.senderID == nil, filter.sentFrom == nil, filter.sentUntil == nil {
            // Unfiltered: the conversations' counters (migration 0009), not a count over messages.
            if let viewer = filter.visibleTo {
                var sql = SQLBuilder("""
                    SELECT coalesce(sum(c.message_count), 0)::bigint AS total
                    FROM conversation_participants vp JOIN conversations c ON c.conversation_id = vp.conversation_id
                    WHERE vp.user_id = 
                    """)
                sql.bind(viewer)
                if let conversationID = filter.conversationID {
                    sql.append(" AND vp.conversation_id = ")
                    sql.bind(conversationID)
                }
                return sql.query
            }
            if let conversationID = filter.conversationID {
                return "SELECT message_count FROM conversations WHERE conversation_id = \(conversationID)"
            }
        }
        var sql = SQLBuilder("SELECT count(*) AS total FROM messages m WHERE true")
        appendConditions(filter, to: &sql)
        return sql.query
    }

    func list(_ filter: MessageFilter, ordering: MessageOrdering, offset: Int, limit: Int) throws -> [Message] {
        let direction: ScanDirection = ordering == .oldestFirst ? .ascending : .descending
        let query = Self.listQuery(filter, from: nil, direction: direction, offset: offset, limit: limit)
        return try MessageRow.messages(connection.query(query))
    }

    func seek(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) throws -> [Message] {
        try MessageRow.messages(connection.query(Self.seekQuery(filter, from: cursor, direction: direction, limit: limit)))
    }

    /// The statement `seek` runs (tests EXPLAIN it).
    static func seekQuery(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) -> PostgresQuery {
        listQuery(filter, from: cursor, direction: direction, offset: 0, limit: limit)
    }

    /// A page of `filter`'s messages in `direction`, after `cursor` when there is one.
    ///
    /// Within one conversation it is one range scan of messages_conversation_sent_idx. Across
    /// the viewer's conversations (`/api/messages/`) it is one such scan per conversation, each
    /// cut at offset + limit rows by a LATERAL subquery, and a top-N sort of what they return:
    /// a join over the participants instead would sort every visible message (timings in
    /// docs/decisions/0002-lists-over-large-tables.md). With `?sender=` the plain form is
    /// kept, so the planner may start from messages_sender_idx.
    ///
    /// `participantsUnnamed`: within one conversation, a participant's message comes without its
    /// sender's name, for the caller to name from the conversation's row (``ParticipantNames``).
    static func listQuery(
        _ filter: MessageFilter, from cursor: MessageCursor?, direction: ScanDirection, offset: Int, limit: Int, participantsUnnamed: Bool = false
    ) -> PostgresQuery {
        var sql: SQLBuilder
        if let viewer = filter.visibleTo, filter.senderID == nil {
            sql = SQLBuilder("SELECT ")
            sql.append(MessageRow.columns)
            sql.append("""

                FROM conversation_participants vp
                CROSS JOIN LATERAL (
                    SELECT * FROM messages m WHERE m.conversation_id = vp.conversation_id
                """)
            var inner = filter
            inner.visibleTo = nil
            inner.conversationID = nil
            appendConditions(inner, to: &sql)
            appendCursor(cursor, direction, to: &sql)
            appendOrder(direction, to: &sql)
            sql.append(" LIMIT ")
            // Saturating: the services only ask for pages that exist, but a sum that overflowed
            // would trap the process; LIMIT with Int.max is simply "all of them".
            let (end, overflow) = offset.addingReportingOverflow(limit)
            sql.bind(overflow ? Int.max : end)
            sql.append("""

                ) m
                JOIN users u ON u.user_id = m.sender_id
                WHERE vp.user_id = 
                """)
            sql.bind(viewer)
            if let conversationID = filter.conversationID {
                sql.append(" AND vp.conversation_id = ")
                sql.bind(conversationID)
            }
        } else if participantsUnnamed, let conversationID = filter.conversationID {
            sql = SQLBuilder("SELECT ")
            ParticipantNames.appendColumns(of: conversationID, to: &sql)
            sql.append("\nFROM messages m WHERE true")
            appendConditions(filter, to: &sql)
            appendCursor(cursor, direction, to: &sql)
        } else {
            sql = select()
            appendConditions(filter, to: &sql)
            appendCursor(cursor, direction, to: &sql)
        }
        appendOrder(direction, to: &sql)
        // One conversation's page: `(SELECT $n)`, here and for the conversation in
        // appendConditions, a value the planner cannot see, so a custom plan is estimated as the
        // generic one and PostgreSQL keeps the generic plan (the index on the conversation gives
        // the order, whatever the LIMIT). With the values visible, a small conversation's custom
        // plan looked cheaper (the same plan), and the page was planned afresh on every request
        // (bench/README.md, "Issue 12 on 2026-12-06"). Across conversations the LIMIT stays
        // visible: it shapes the plan there.
        let hidesLimit = filter.conversationID != nil && (filter.visibleTo == nil || filter.senderID != nil)
        sql.append(hidesLimit ? " LIMIT (SELECT " : " LIMIT ")
        sql.bind(limit)
        if hidesLimit { sql.append(")") }
        if offset > 0 {
            sql.append(" OFFSET ")
            sql.bind(offset)
        }
        return sql.query
    }

    /// A row comparison on the index's trailing columns: an index condition, so the scan
    /// starts at the cursor instead of counting its way there.
    private static func appendCursor(_ cursor: MessageCursor?, _ direction: ScanDirection, to sql: inout SQLBuilder) {
        guard let cursor else { return }
        switch direction {
        case .ascending: sql.append(" AND (m.sent_at, m.message_id) > (")
        case .descending: sql.append(" AND (m.sent_at, m.message_id) < (")
        }
        sql.bind(cursor.sentAt)
        sql.append(", ")
        sql.bind(cursor.messageID)
        sql.append(")")
    }

    private static func appendOrder(_ direction: ScanDirection, to sql: inout SQLBuilder) {
        switch direction {
        case .ascending: sql.append(" ORDER BY m.sent_at, m.message_id")
        case .descending: sql.append(" ORDER BY m.sent_at DESC, m.message_id DESC")
        }
    }

    private static func select() -> SQLBuilder {
        var sql = SQLBuilder("SELECT ")
        sql.append(MessageRow.columns)
        sql.append("""

            FROM messages m JOIN users u ON u.user_id = m.sender_id
            WHERE true
            """)
        return sql
    }

    private static func appendConditions(_ filter: MessageFilter, to sql: inout SQLBuilder) {
        if let conversationID = filter.conversationID {
            sql.append(" AND m.conversation_id = (SELECT ")
            sql.bind(conversationID)
            sql.append(")")
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
        try MessageRow.message(connection.query("""
            WITH kept AS (
                INSERT INTO message_edits (message_id, old_body, edited_by) VALUES (\(messageID), \(oldBody), \(editedBy))
                RETURNING edited_at
            ), m AS (
                UPDATE messages SET message_body = \(newBody), edited_at = (SELECT edited_at FROM kept)
                WHERE message_id = \(messageID)
                RETURNING *
            )
            SELECT \(unsafeRaw: MessageRow.columns.description) FROM m JOIN users u ON u.user_id = m.sender_id
            """)[0])
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
        try MessageRow.messages(connection.query("""
            WITH RECURSIVE thread AS (
                SELECT message_id, conversation_id, sender_id, parent_message_id, message_body, sent_at, edited_at, kind, member_id,
                       0 AS depth
                FROM messages WHERE message_id = \(rootID)
              UNION ALL
                SELECT r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at,
                       r.kind, r.member_id, t.depth + 1
                FROM messages r JOIN thread t ON r.parent_message_id = t.message_id
                WHERE t.depth < \(maxDepth)
            )
            SELECT \(unsafeRaw: MessageRow.columns.description)
            FROM thread m JOIN users u ON u.user_id = m.sender_id
            ORDER BY m.sent_at, m.message_id
            """))
    }
}
