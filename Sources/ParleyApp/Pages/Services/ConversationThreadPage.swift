import Foundation
import Postgres

/// One page of a conversation as the page shows it: up to `limit` top-level messages, oldest
/// first, each with every reply below it; and whether earlier top-level messages exist.
struct ConversationThreadPage: Sendable, Equatable {
    var threads: [MessageThread]
    var hasEarlier: Bool

    /// The cursor for the "Earlier messages" link: the oldest top-level message shown.
    var earliestRootID: UUID? { threads.first?.message.messageID }
}

/// A message store that reads a thread page in one statement (``PostgresMessageRepository``).
protocol ThreadPageReading {
    /// The top-level messages of `conversationID` before `cursor` (the latest when nil), at
    /// most `limit`, and all their descendants (down to `maxDepth` levels), in any order, with
    /// whether more top-level messages come before them.
    func threadPage(conversationID: UUID, before cursor: MessageCursor?, limit: Int, maxDepth: Int) throws -> (messages: [Message], rootIDs: [UUID], hasEarlier: Bool)
}

extension MessageService {
    /// The conversation page's messages, for participants only (404/403 as everywhere). The
    /// cursor is a top-level message of this conversation (else "invalid cursor", a 404).
    func threadPage(in conversationID: UUID, for viewer: AuthenticatedUser, before anchorID: UUID?, limit: Int) throws -> ConversationThreadPage {
        try store.read { repositories in
            try ConversationService.requireParticipant(repositories, conversationID, viewer)
            var cursor: MessageCursor?
            if let anchorID {
                guard let anchor = try repositories.messages.find(anchorID, lock: false), anchor.conversationID == conversationID else {
                    throw MessagingError.invalidCursor
                }
                cursor = MessageCursor(sentAt: anchor.sentAt, messageID: anchor.messageID)
            }
            let (messages, rootIDs, hasEarlier): ([Message], [UUID], Bool)
            if let reader = repositories.messages as? any ThreadPageReading {
                (messages, rootIDs, hasEarlier) = try reader.threadPage(conversationID: conversationID, before: cursor, limit: limit, maxDepth: MessageThread.maxDepth)
            } else {
                (messages, rootIDs, hasEarlier) = try Self.threadPageByListing(repositories.messages, conversationID, cursor, limit)
            }
            let threads = rootIDs.compactMap { MessageThread.build(rootID: $0, from: messages) }
            return ConversationThreadPage(threads: threads, hasEarlier: hasEarlier)
        }
    }

    /// Only the sender may edit: the message (for the edit form) or `notSender` (403).
    func editableMessage(_ messageID: UUID, by user: AuthenticatedUser) throws -> Message {
        let message = try get(messageID, for: user)
        guard message.sender.userID == user.id else { throw MessagingError.notSender }
        return message
    }

    /// For stores without ``ThreadPageReading`` (the in-memory one of service tests): the
    /// whole conversation, sliced in memory.
    private static func threadPageByListing(_ messages: any MessageRepository, _ conversationID: UUID, _ cursor: MessageCursor?, _ limit: Int) throws -> ([Message], [UUID], Bool) {
        let filter = MessageFilter(conversationID: conversationID)
        let all = try messages.list(filter, ordering: .oldestFirst, offset: 0, limit: max(1, try messages.count(filter)))
        var roots = all.filter { $0.parentMessageID == nil }
        if let cursor {
            roots = roots.filter { ($0.sentAt, $0.messageID.apiString) < (cursor.sentAt, cursor.messageID.apiString) }
        }
        let page = Array(roots.suffix(limit))
        return (all, page.map(\.messageID), roots.count > page.count)
    }
}

extension PostgresMessageRepository: ThreadPageReading {
    /// Two steps in one statement: a backward walk of `messages_conversation_roots_idx` for the
    /// page's top-level messages (LIMIT n + 1, the extra one only says whether there are
    /// earlier ones), then the recursive descent over `messages_parent_idx`, as the thread
    /// query does, from the page's roots.
    func threadPage(conversationID: UUID, before cursor: MessageCursor?, limit: Int, maxDepth: Int) throws -> (messages: [Message], rootIDs: [UUID], hasEarlier: Bool) {
        var sql = SQLBuilder("""
            WITH RECURSIVE candidates AS (
                SELECT r.message_id, r.sent_at FROM messages r
                WHERE r.parent_message_id IS NULL AND r.conversation_id = 
            """)
        sql.bind(conversationID)
        if let cursor {
            sql.append(" AND (r.sent_at, r.message_id) < (")
            sql.bind(cursor.sentAt)
            sql.append(", ")
            sql.bind(cursor.messageID)
            sql.append(")")
        }
        sql.append(" ORDER BY r.sent_at DESC, r.message_id DESC LIMIT ")
        sql.bind(limit + 1)
        sql.append("""
            ), roots AS (
                SELECT message_id FROM candidates ORDER BY sent_at DESC, message_id DESC LIMIT 
            """)
        sql.bind(limit)
        sql.append("""
            ), thread AS (
                SELECT message_id, conversation_id, sender_id, parent_message_id, message_body, sent_at, edited_at, 0 AS depth
                FROM messages WHERE message_id IN (SELECT message_id FROM roots)
              UNION ALL
                SELECT r.message_id, r.conversation_id, r.sender_id, r.parent_message_id, r.message_body, r.sent_at, r.edited_at,
                       t.depth + 1
                FROM messages r JOIN thread t ON r.parent_message_id = t.message_id
                WHERE t.depth < 
            """)
        sql.bind(maxDepth)
        sql.append("\n) SELECT ")
        sql.append(MessageRow.columns)
        sql.append("""
            , (SELECT count(*) FROM candidates) AS candidate_count
            FROM thread m JOIN users u ON u.user_id = m.sender_id
            ORDER BY m.sent_at, m.message_id
            """)
        let rows = try connection.query(sql.query)
        var messages: [Message] = []
        var hasEarlier = false
        for row in rows {
            messages.append(try row.decode(MessageRow.self).message)
            hasEarlier = try row.decode(Int.self, column: "candidate_count") > limit
        }
        let rootIDs = messages.filter { $0.parentMessageID == nil }.map(\.messageID)
        return (messages, rootIDs, hasEarlier)
    }
}
