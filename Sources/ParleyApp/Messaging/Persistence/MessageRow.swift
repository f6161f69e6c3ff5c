import FoundationEssentials
import Postgres

/// The columns every message query selects, in the order `MessageRow.columns` lists them, read
/// by position: a `Decodable` row looks each column up by name on every row, which was most of
/// the cost of decoding a page of messages.
enum MessageRow {
    /// The select list over `messages m JOIN users u ON u.user_id = m.sender_id`. The member of
    /// a system line is looked up only for those rows (CASE evaluates lazily), so the list
    /// queries keep their joins.
    static let columns: StaticString = """
        m.message_id, m.conversation_id, m.sender_id, u.username AS sender_username, m.parent_message_id,
        m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
        CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END AS member_username
        """

    /// ``columns`` for a query without the join with `users`, its sender's name looked up per
    /// row instead: the live publisher's claim, whose plan must not turn the join into a scan of
    /// `users` (bench/README.md, "The live publisher's claim").
    static let columnsLookingUpSender: StaticString = """
        m.message_id, m.conversation_id, m.sender_id, (SELECT u.username FROM users u WHERE u.user_id = m.sender_id) AS sender_username,
        m.parent_message_id, m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
        CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END AS member_username
        """

    /// ``columns`` after the sender's name, for a statement that names senders its own way.
    static let columnsAfterSender: StaticString = """
        , m.parent_message_id, m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id,
        CASE WHEN m.member_id IS NOT NULL THEN (SELECT mu.username FROM users mu WHERE mu.user_id = m.member_id) END AS member_username
        """

    /// How many columns ``columns`` selects: a query's own columns after them start here.
    static let columnCount = 11

    /// The message in `row`'s columns from `first` on.
    static func message(_ row: PostgresRow, from first: Int = 0) throws -> Message {
        try message(row, from: first, senderName: try row.decode(String.self, at: first + 3))
    }

    /// The message in `row`'s columns from `first` on, with its sender's name given by the
    /// caller (the conversation page's statement leaves the participants' names to it).
    static func message(_ row: PostgresRow, from first: Int = 0, senderName: String) throws -> Message {
        Message(
            messageID: try row.decode(UUID.self, at: first), conversationID: try row.decode(UUID.self, at: first + 1),
            sender: UserReference(userID: try row.decode(UUID.self, at: first + 2), username: senderName),
            parentMessageID: try row.decode(UUID?.self, at: first + 4), body: try row.decode(String.self, at: first + 5),
            sentAt: try row.decode(Date.self, at: first + 6), editedAt: try row.decode(Date?.self, at: first + 7),
            kind: try kind(row, at: first + 8),
            member: try row.decode(UUID?.self, at: first + 9).map { UserReference(userID: $0, username: try row.decode(String?.self, at: first + 10) ?? "") })
    }

    /// The `kind` column; a value this build does not know is refused rather than shown wrong.
    static func kind(_ row: PostgresRow, at column: Int) throws -> MessageKind {
        let text = try row.decode(String.self, at: column)
        guard let kind = MessageKind(rawValue: text) else { throw UnknownKind() }
        return kind
    }

    /// A `kind` the CHECK constraint of migration 0013 does not allow: a newer schema.
    struct UnknownKind: Error {}

    /// Every row's message, its columns first.
    static func messages(_ rows: PostgresRows) throws -> [Message] {
        try rows.map { try message($0) }
    }
}
