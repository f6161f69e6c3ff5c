import FoundationEssentials
import Postgres

/// What the conversation page's thread statement read.
struct ThreadPageRows {
    /// The page's top-level messages and all their replies, oldest first.
    var messages: [Message]
    var rootIDs: [UUID]
    var hasEarlier: Bool
    /// Senders the statement left unnamed (see ``ParticipantNames``).
    var unnamedSenders: [UUID]
}

extension PostgresMessageRepository {
    /// Two steps in one statement: a backward walk of `messages_conversation_roots_idx` for the
    /// page's top-level messages, whole rows, `limit + 1` of them (the extra one only says whether
    /// there are earlier ones; ``threadPage(_:limit:)`` drops it and its replies), then the
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
        sql.append("""

            )
            SELECT m.message_id, m.conversation_id, m.sender_id, 
            """)
        ParticipantNames.appendSenderName(of: conversationID, to: &sql)
        sql.append("""
            ,
                   m.parent_message_id, m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
                   CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END
                       AS member_username
            FROM thread m
            ORDER BY m.sent_at, m.message_id
            """)
        return sql.query
    }

    private static let threadColumns: StaticString =
        "r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at, r.kind, r.member_id"

    /// The page's messages (oldest first), its top-level ones and whether earlier ones exist.
    /// Messages whose sender the statement left unnamed carry an empty name until
    /// ``ParticipantNames/complete(_:unnamed:connection:participantName:)`` names them.
    static func threadPage(_ rows: PostgresRows, limit: Int) throws -> ThreadPageRows {
        let (messages, unnamed) = try ParticipantNames.messages(rows)
        var page = ThreadPageRows(messages: messages, rootIDs: [], hasEarlier: false, unnamedSenders: unnamed)
        let rootCount = page.messages.count { $0.parentMessageID == nil }
        if rootCount > limit {
            // The rows come oldest first, so the first top-level one is the extra, oldest one.
            page.hasEarlier = true
            page.dropThread(of: page.messages.firstIndex { $0.parentMessageID == nil }!)
        }
        page.rootIDs = page.messages.filter { $0.parentMessageID == nil }.map(\.messageID)
        return page
    }
}

private extension ThreadPageRows {
    /// Removes the message at `index` and every reply below it.
    mutating func dropThread(of index: Int) {
        var dropped: Set<UUID> = [messages[index].messageID]
        // A reply usually comes after its parent, but nothing guarantees it (a sent_at set by an
        // import), so this repeats until a pass finds nothing new.
        var grew = true
        while grew {
            grew = false
            for message in messages where !dropped.contains(message.messageID) {
                if let parent = message.parentMessageID, dropped.contains(parent) {
                    dropped.insert(message.messageID)
                    grew = true
                }
            }
        }
        messages.removeAll { dropped.contains($0.messageID) }
    }
}
