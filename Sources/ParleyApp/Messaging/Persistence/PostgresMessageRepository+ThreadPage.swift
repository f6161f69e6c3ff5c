import FoundationEssentials
import Postgres

/// What the conversation page's thread statement read.
struct ThreadPageRows {
    /// The page's top-level messages and all their replies, oldest first; also the extra, oldest
    /// top-level message and its replies when there are earlier ones, which no id in `rootIDs`
    /// leads to.
    var messages: [Message]
    var rootIDs: [UUID]
    var hasEarlier: Bool
    /// Senders the statement left unnamed (see ``ParticipantNames``).
    var unnamedSenders: [UUID]
}

extension PostgresMessageRepository {
    /// Two steps in one statement: a backward walk of `messages_conversation_roots_idx` for the
    /// page's top-level messages, whole rows, `limit + 1` of them (the extra one only says whether
    /// there are earlier ones; ``threadPage(_:limit:)`` leaves it out of the page's roots), then the
    /// recursive descent over `messages_parent_idx` from them, as the thread query does.
    ///
    /// Counting the extra row in the statement instead (the roots in a CTE read twice, and a second
    /// LIMIT) cost PostgreSQL a quarter of the statement (bench/README.md, "The conversation page's
    /// thread statement"). The participants' names come with the page's view of the
    /// conversation (``ParticipantNames``).
    ///
    /// `anchorID`, the "earlier messages" cursor, is looked up in the same statement (so the
    /// page needs no round trip of its own for it); an id that is not a message of this
    /// conversation gives an empty page.
    static func threadPageQuery(conversationID: UUID, before anchorID: UUID?, limit: Int, maxDepth: Int) -> PostgresQuery {
        var sql = SQLBuilder("WITH RECURSIVE ")
        if let anchorID {
            sql.append("anchor AS (SELECT a.sent_at, a.message_id FROM messages a WHERE a.message_id = ")
            sql.bind(anchorID)
            sql.append(" AND a.conversation_id = ")
            sql.bind(conversationID)
            sql.append("), ")
        }
        sql.append("thread AS (\n    (SELECT ")
        sql.append(threadColumns)
        // `(SELECT $n)` for the conversation and the LIMIT, values the planner cannot see, as in
        // the messages' list query: with them visible, PostgreSQL planned this statement afresh on
        // every view (190 µs), its custom plan looking cheaper than the generic one (the same plan).
        sql.append(", 0 AS depth FROM messages r\n    WHERE r.parent_message_id IS NULL AND r.conversation_id = (SELECT ")
        sql.bind(conversationID)
        sql.append(")")
        if anchorID != nil {
            // Two scalar subqueries, not a row subquery: the pair stays an index condition.
            sql.append(" AND (r.sent_at, r.message_id) < ((SELECT sent_at FROM anchor), (SELECT message_id FROM anchor))")
        }
        sql.append(" ORDER BY r.sent_at DESC, r.message_id DESC LIMIT (SELECT ")
        sql.bind(limit + 1)
        sql.append("))\n  UNION ALL\n    SELECT ")
        sql.append(threadColumns)
        sql.append(", t.depth + 1 FROM messages r JOIN thread t ON r.parent_message_id = t.message_id WHERE t.depth < ")
        sql.bind(maxDepth)
        sql.append("\n)\nSELECT ")
        ParticipantNames.appendColumns(of: conversationID, to: &sql)
        sql.append("\nFROM thread m\nORDER BY m.sent_at, m.message_id")
        return sql.query
    }

    private static let threadColumns: StaticString =
        "r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at, r.kind, r.member_id"

    /// The page's messages (oldest first), its top-level ones and whether earlier ones exist.
    /// Messages whose sender the statement left unnamed carry an empty name until
    /// ``ParticipantNames/complete(_:unnamed:connection:participantName:)`` names them.
    static func threadPage(_ rows: PostgresRows, limit: Int) throws -> ThreadPageRows {
        let (messages, unnamed) = try ParticipantNames.messages(rows)
        // The rows come oldest first, so with one root too many the first is the extra one.
        var rootIDs = messages.filter { $0.parentMessageID == nil }.map(\.messageID)
        let hasEarlier = rootIDs.count > limit
        if hasEarlier { rootIDs.removeFirst() }
        return ThreadPageRows(messages: messages, rootIDs: rootIDs, hasEarlier: hasEarlier, unnamedSenders: unnamed)
    }
}
