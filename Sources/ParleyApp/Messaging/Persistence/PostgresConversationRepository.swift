import FoundationEssentials
import Postgres

/// conversations and conversation_participants in PostgreSQL.
///
/// The list is one statement whatever the page size: it picks the page first (a range scan of
/// the viewer's participant rows in last-activity order, migration 0017's copy and index, cut
/// by LIMIT, in a MATERIALIZED CTE), counts those rows (an index-only scan) and only then adds,
/// per page row, the participants (migration 0018's copy on the conversation row), the last
/// message (0027's copy, with its sender's username joined) and the viewer's unread count (the
/// counter of migration 0009). So the per-row work is done for the rows shown only, and no
/// count grows with the viewer's unread messages. Timings, and the forms rejected:
/// docs/decisions/0002-lists-over-large-tables.md, 0011-conversation-list.md,
/// 0013-participants-on-the-conversation.md and 0020-last-message-on-the-conversation.md.
struct PostgresConversationRepository: ConversationRepository {
    let connection: PostgresConnection

    /// Columns 0…4 of `create`'s RETURNING and of `accessQuery`, read by position (see ``MessageRow``).
    private enum ConversationRow {
        static func conversation(_ row: PostgresRow) throws -> Conversation {
            Conversation(
                conversationID: try row.decode(UUID.self, at: 0), title: try row.decode(String.self, at: 1),
                createdBy: try row.decode(UUID?.self, at: 2), createdAt: try row.decode(Date.self, at: 3),
                lastMessageAt: try row.decode(Date.self, at: 4))
        }
    }

    /// A row of the list's statement or of `summary`'s (the same columns,
    /// `appendSummaryColumns`), read by position (see ``MessageRow``).
    struct SummaryRow {
        var conversationId: UUID
        var title: String
        var createdBy: UUID?
        var createdAt: Date
        var lastMessageAt: Date
        var participants: [UserSummary]
        var participantsJSON: String?
        var lastId: UUID?
        var lastSenderId: UUID?
        var lastSenderUsername: String?
        var lastParentId: UUID?
        var lastBody: String?
        var lastSentAt: Date?
        var lastEditedAt: Date?
        var lastKind: MessageKind?
        var lastMemberId: UUID?
        var lastMemberUsername: String?
        var unreadCount: Int
        /// The list's count of the viewer's conversations (1 in a view of one).
        var total: Int
        var isParticipant: Bool

        init(_ row: PostgresRow, participants form: ParticipantsForm = .values) throws {
            conversationId = try row.decode(UUID.self, at: 0)
            title = try row.decode(String.self, at: 1)
            createdBy = try row.decode(UUID?.self, at: 2)
            createdAt = try row.decode(Date.self, at: 3)
            lastMessageAt = try row.decode(Date.self, at: 4)
            unreadCount = try row.decode(Int.self, at: 5)
            switch form {
            case .values:
                participants = try row.decode([UserSummary].self, at: 6)
            case .json:
                participants = []
                participantsJSON = try row.decode(String.self, at: 6)
            }
            lastId = try row.decode(UUID?.self, at: 7)
            lastSenderId = try row.decode(UUID?.self, at: 8)
            lastSenderUsername = try row.decode(String?.self, at: 9)
            lastParentId = try row.decode(UUID?.self, at: 10)
            lastBody = try row.decode(String?.self, at: 11)
            lastSentAt = try row.decode(Date?.self, at: 12)
            lastEditedAt = try row.decode(Date?.self, at: 13)
            lastKind = lastId == nil ? nil : try MessageRow.kind(row, at: 14)
            lastMemberId = try row.decode(UUID?.self, at: 15)
            lastMemberUsername = try row.decode(String?.self, at: 16)
            total = try row.decode(Int.self, at: 17)
            isParticipant = try row.decode(Bool.self, at: 18)
        }

        var summary: ConversationSummary {
            var last: Message?
            if let lastId, let lastSenderId, let lastSenderUsername, let lastBody, let lastSentAt {
                last = Message(
                    messageID: lastId, conversationID: conversationId,
                    sender: UserReference(userID: lastSenderId, username: lastSenderUsername),
                    parentMessageID: lastParentId, body: lastBody, sentAt: lastSentAt, editedAt: lastEditedAt,
                    kind: lastKind ?? .message, member: lastMemberId.map { UserReference(userID: $0, username: lastMemberUsername ?? "") })
            }
            return ConversationSummary(
                conversation: Conversation(
                    conversationID: conversationId, title: title, createdBy: createdBy, createdAt: createdAt,
                    lastMessageAt: lastMessageAt),
                participants: participants, participantsJSON: participantsJSON,
                lastMessage: last, unreadCount: unreadCount)
        }
    }

    func create(title: String, createdBy: UUID, participantIDs: [UUID]) throws -> Conversation {
        let row = try connection.query("""
            INSERT INTO conversations (title, created_by) VALUES (\(title), \(createdBy))
            RETURNING conversation_id, title, created_by, created_at, last_message_at
            """)[0]
        let conversation = try ConversationRow.conversation(row)
        try connection.execute("""
            INSERT INTO conversation_participants (conversation_id, user_id)
            SELECT \(conversation.conversationID), participant FROM unnest(\(participantIDs)) AS participant
            """)
        return conversation
    }

    func access(_ conversationID: UUID, userID: UUID, lock: Bool) throws -> ConversationAccess? {
        try Self.access(connection.query(Self.accessQuery(conversationID, userID: userID, lock: lock)))
    }

    /// The statement `access` runs; with the conversation's message counter (migration 0009),
    /// which a pipeline that checks access may use as its count.
    /// `participants`: also the conversation's participant_summary[] (column 7), to name the
    /// participants' messages read beside it (``ParticipantNames``).
    static func accessQuery(_ conversationID: UUID, userID: UUID, lock: Bool, participants: Bool = false) -> PostgresQuery {
        """
        SELECT c.conversation_id, c.title, c.created_by, c.created_at, c.last_message_at, c.message_count,
               EXISTS (SELECT 1 FROM conversation_participants p
                       WHERE p.conversation_id = c.conversation_id AND p.user_id = \(userID)) AS is_participant
               \(unsafeRaw: participants ? ", c.participants" : "")
        FROM conversations c WHERE c.conversation_id = \(conversationID)
        \(unsafeRaw: lock ? "FOR KEY SHARE OF c" : "")
        """
    }

    static func access(_ rows: PostgresRows) throws -> ConversationAccess? {
        guard let row = rows.first else { return nil }
        return ConversationAccess(conversation: try ConversationRow.conversation(row), isParticipant: try row.decode(Bool.self, at: 6))
    }

    func count(for userID: UUID) throws -> Int {
        try connection.query("SELECT coalesce((SELECT conversation_count FROM users WHERE user_id = \(userID)), 0) AS total")[0]
            .decode(Int.self, column: "total")
    }

    func summaries(for userID: UUID, offset: Int, limit: Int, participants: ParticipantsForm) throws -> (items: [ConversationSummary], total: Int) {
        let rows = try connection.query(Self.listQuery(for: userID, offset: offset, limit: limit, participants: participants))
            .map { try SummaryRow($0, participants: participants) }
        // Every row carries the count; a page past the end has no row to carry it.
        let total = try rows.first?.total ?? (offset == 0 ? 0 : count(for: userID))
        return (rows.map(\.summary), total)
    }

    /// The statement `summaries` runs (a test reads its plan). The viewer's rows come in the
    /// list's order from a range scan of conversation_participants_user_activity_idx, and a nested
    /// loop to `conversations` keeps that order: no CTE and no sort, each of which copied the
    /// page's rows (participants and last message included) once more (bench/README.md, "The
    /// list's last sender"). The total is the viewer's count on their user row (migration 0026).
    ///
    /// Two shapes. The first page joins under its LIMIT. Later pages pick their rows in a
    /// subquery first, so that the skipped rows join nothing; but PostgreSQL knows nothing about
    /// a subquery's ids and puts a Memoize in front of `conversations`, which copies every row
    /// into a cache that is never hit; on later pages, though, joining first is the slower shape
    /// (bench/README.md, "The list's Memoize").
    static func listQuery(for userID: UUID, offset: Int, limit: Int, participants: ParticipantsForm = .values) -> PostgresQuery {
        var sql = SQLBuilder("SELECT ")
        appendSummaryColumns(participants, totalFor: userID, to: &sql)
        if offset == 0 {
            appendViewerRows(of: userID, to: &sql)
            sql.append(" ORDER BY p.conversation_last_message_at DESC, p.conversation_id DESC LIMIT ")
            sql.bind(limit)
            return sql.query
        }
        sql.append("""

            FROM (SELECT p.conversation_id, p.unread_count, p.conversation_last_message_at
                  FROM conversation_participants p WHERE p.user_id = 
            """)
        sql.bind(userID)
        sql.append(" ORDER BY p.conversation_last_message_at DESC, p.conversation_id DESC LIMIT ")
        sql.bind(limit)
        sql.append(" OFFSET ")
        sql.bind(offset)
        sql.append("""
            ) p
            JOIN conversations c ON c.conversation_id = p.conversation_id
            ORDER BY p.conversation_last_message_at DESC, p.conversation_id DESC
            """)
        return sql.query
    }

    func summary(_ conversationID: UUID, for userID: UUID) throws -> ConversationSummary? {
        var sql = SQLBuilder("SELECT ")
        Self.appendSummaryColumns(.values, totalFor: nil, to: &sql)
        Self.appendViewerRows(of: userID, to: &sql)
        sql.append(" AND c.conversation_id = ")
        sql.bind(conversationID)
        return try connection.query(sql.query).first.map { try SummaryRow($0).summary }
    }

    /// `userID`'s participant rows `p` joined to their conversations `c`.
    private static func appendViewerRows(of userID: UUID, to sql: inout SQLBuilder) {
        sql.append("""

            FROM conversation_participants p JOIN conversations c ON c.conversation_id = p.conversation_id
            WHERE p.user_id = 
            """)
        sql.bind(userID)
    }

    /// A ``SummaryRow``'s columns over `p`, the viewer's participant row, and `c`, the
    /// conversation's. Column 6, `participants`: migration 0018's participant_summary[], or 0025's
    /// JSON text of it (decision 0018). `total`: `userID`'s count of conversations, or 1 (a view
    /// of one).
    private static func appendSummaryColumns(_ participants: ParticipantsForm, totalFor userID: UUID?, to sql: inout SQLBuilder) {
        sql.append("c.conversation_id, c.title, c.created_by, c.created_at, c.last_message_at, p.unread_count, ")
        sql.append(participants == .json ? "c.participants_json AS participants" : "c.participants")
        sql.append(lastMessageColumns)
        if let userID {
            sql.append("(SELECT t.conversation_count FROM users t WHERE t.user_id = ")
            sql.bind(userID)
            sql.append(") AS total")
        } else {
            sql.append("1 AS total")
        }
        sql.append(", true AS is_participant")
    }

    /// Migration 0027's copy of the last message. Its sender's name comes from the row's
    /// participant_summary[] (migration 0018), also when the list returns the JSON form: the
    /// sender is nearly always among them, and their names there are kept current (0018's
    /// trigger on `users`), so `users` is read only for a sender who left. A join to `users` for
    /// the name was planned as a hash of the whole table, and a probe per row cost a third of the
    /// statement (bench/README.md, "The list's last sender").
    private static let lastMessageColumns: StaticString = """
        ,
               (c.last_message).message_id AS last_id, (c.last_message).sender_id AS last_sender_id,
               coalesce((SELECT s.username FROM unnest(c.participants) s WHERE s.user_id = (c.last_message).sender_id),
                        (SELECT lu.username FROM users lu WHERE lu.user_id = (c.last_message).sender_id)) AS last_sender_username,
               (c.last_message).parent_message_id AS last_parent_id,
               (c.last_message).message_body AS last_body, (c.last_message).sent_at AS last_sent_at,
               (c.last_message).edited_at AS last_edited_at, (c.last_message).kind AS last_kind,
               (c.last_message).member_id AS last_member_id,
               CASE WHEN (c.last_message).member_id IS NOT NULL
                    THEN (SELECT mu.username FROM users mu WHERE mu.user_id = (c.last_message).member_id) END
                   AS last_member_username,
               
        """

    func delete(_ conversationID: UUID) throws {
        try connection.execute("DELETE FROM conversations WHERE conversation_id = \(conversationID)")
    }

    func markRead(_ conversationID: UUID, userID: UUID) throws -> Date? {
        // Migration 0021's function, as the conversation page's mark (which marks only when
        // something is unread): the rule of what "read" sets lives there.
        try connection.query("""
            SELECT marked_at FROM conversation_mark_read(\(conversationID), \(userID), false, false)
            """).first?.decode(Date?.self, column: "marked_at") ?? nil
    }
}
