import FoundationEssentials
import Postgres

/// One conversation's messages read without their participants' names. The statement leaves a
/// sender who is a participant unnamed (NULL): the conversation's row, read in the same pipeline,
/// carries those names (its participant_summary[], migration 0018). It looks `users` up only for
/// anyone else, people who left. A primary-key probe of `users` per row cost a quarter to a third
/// of such statements (bench/README.md, "The conversation page's thread statement").
enum ParticipantNames {
    /// ``MessageRow/columns`` for messages `m` of `conversationID`, the sender's name NULL for a
    /// participant.
    static func appendColumns(of conversationID: UUID, to sql: inout SQLBuilder) {
        sql.append("m.message_id, m.conversation_id, m.sender_id, ")
        sql.append("CASE WHEN m.sender_id = ANY (ARRAY(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = ")
        sql.bind(conversationID)
        sql.append(")) THEN NULL ELSE (SELECT u.username FROM users u WHERE u.user_id = m.sender_id) END AS sender_username")
        sql.append(MessageRow.columnsAfterSender)
    }

    /// The rows' messages, those left unnamed with an empty name, and their senders. A page has a
    /// few senders at most, so arrays, not sets: no hashing per row.
    static func messages(_ rows: PostgresRows) throws -> (messages: [Message], unnamed: [UUID]) {
        var messages: [Message] = []
        messages.reserveCapacity(rows.count)
        var unnamed: [UUID] = []
        for row in rows {
            let name = try row.decode(String?.self, at: 3)
            let message = try MessageRow.message(row, senderName: name ?? "")
            if name == nil, !unnamed.contains(message.sender.userID) { unnamed.append(message.sender.userID) }
            messages.append(message)
        }
        return (messages, unnamed)
    }

    /// Names the unnamed senders' messages with `participantName`. Each statement of a pipeline
    /// reads its own snapshot, so someone who joined and wrote between the statement that read
    /// the participants and the one that read the messages is not among them: one more
    /// statement names those.
    static func complete(
        _ messages: inout [Message], unnamed: [UUID], connection: PostgresConnection, participantName: (UUID) -> String?
    ) throws {
        guard !unnamed.isEmpty else { return }
        var names = unnamed.map { (id: $0, name: participantName($0)) }
        let missing = names.filter { $0.name == nil }.map(\.id)
        if !missing.isEmpty {
            for row in try connection.query("SELECT user_id, username FROM users WHERE user_id = ANY(\(missing))") {
                let (id, username) = try row.decode((UUID, String).self)
                if let index = names.firstIndex(where: { $0.id == id }) { names[index].name = username }
            }
        }
        for index in messages.indices {
            if let named = names.first(where: { $0.id == messages[index].sender.userID }) {
                // A sender deleted in between keeps the empty name; their message goes with them.
                messages[index].sender.username = named.name ?? ""
            }
        }
    }
}

/// A participant's id and name: the first two fields of migration 0018's participant_summary,
/// the others not read (names only, for ``ParticipantNames``).
struct ParticipantName: PostgresDecodable {
    var userID: UUID
    var username: String

    init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        var fields = try PostgresRecordReader(bytes, type: type)
        guard fields.count == 4 else { throw PostgresDecodingFailure("a participant has 4 fields, not \(fields.count)") }
        userID = try fields.next(UUID.self)
        username = try fields.next(String.self)
    }
}
