import FoundationEssentials
import Postgres

/// ``ExportRepository`` on PostgreSQL. The lock is a session advisory lock on the worker's
/// connection, so it goes away with the connection if the process dies mid-export.
struct PostgresExportRepository: ExportRepository {
    let database: PostgresDatabase

    /// The lock's key: the user's id, in a namespace of its own.
    private static func key(_ userID: UUID) -> String { "parley.export:" + userID.uuidString.lowercased() }

    func lock(userID: UUID) throws -> Bool {
        try database.write { connection in
            try connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(Self.key(userID)), 0))")[0].decode(Bool.self)
        }
    }

    func unlock(userID: UUID) throws {
        _ = try database.write { connection in
            try connection.query("SELECT pg_advisory_unlock(hashtextextended(\(Self.key(userID)), 0))")
        }
    }

    func userID(username: String) throws -> UUID? {
        try database.read { connection in
            try connection.query("SELECT user_id FROM users WHERE lower(username) = lower(\(username))").first?.decode(UUID.self)
        }
    }

    /// A timestamp as the API writes it: UTC, milliseconds, `Z`.
    private static func time(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// One CSV field: quoted, quotes doubled; NULL is an empty field.
    private static func csv(_ expression: String) -> String {
        "coalesce('\"' || replace((\(expression))::text, '\"', '\"\"') || '\"', '')"
    }

    /// Each statement of an export, in order; `$1` is the user's id. Rows come in index order
    /// (no sort), so the first line leaves as soon as the first row is found.
    static func statements(_ format: ExportFormat) -> [String] {
        switch format {
        case .csv:
            let fields = ["message_id", "conversation_id", "parent_message_id", "message_body", time("sent_at"), time("edited_at")]
            return ["""
                SELECT concat_ws(',', \(fields.map(csv).joined(separator: ", ")))
                FROM messages WHERE sender_id = $1 AND kind = 'message' ORDER BY sender_id, sent_at
                """]
        case .ndjson:
            return [
                """
                SELECT json_build_object('type', 'profile', 'user_id', user_id, 'username', username, 'email', email,
                    'first_name', first_name, 'last_name', last_name, 'phone_number', phone_number, 'role', role,
                    'created_at', \(time("created_at")))::text
                FROM users WHERE user_id = $1
                """,
                """
                SELECT json_build_object('type', 'conversation', 'conversation_id', c.conversation_id, 'title', c.title,
                    'created_at', \(time("c.created_at")), 'joined_at', \(time("p.joined_at")),
                    'last_read_at', \(time("p.last_read_at")), 'message_count', c.message_count,
                    'participants', (SELECT json_agg(u.username ORDER BY u.username)
                                     FROM conversation_participants q JOIN users u ON u.user_id = q.user_id
                                     WHERE q.conversation_id = c.conversation_id))::text
                FROM conversation_participants p JOIN conversations c ON c.conversation_id = p.conversation_id
                WHERE p.user_id = $1
                """,
                """
                SELECT json_build_object('type', 'message', 'message_id', message_id, 'conversation_id', conversation_id,
                    'parent_message_id', parent_message_id, 'message_body', message_body,
                    'sent_at', \(time("sent_at")), 'edited_at', \(time("edited_at")))::text
                FROM messages WHERE sender_id = $1 AND kind = 'message' ORDER BY sender_id, sent_at
                """,
                """
                SELECT json_build_object('type', 'notification', 'notification_id', notification_id, 'message_id', message_id,
                    'conversation_id', conversation_id, 'created_at', \(time("created_at")), 'read_at', \(time("read_at")))::text
                FROM notifications WHERE recipient_id = $1 ORDER BY recipient_id, created_at DESC, notification_id DESC
                """,
                """
                SELECT json_build_object('type', 'message_edit', 'edit_id', edit_id, 'message_id', message_id,
                    'old_body', old_body, 'edited_at', \(time("edited_at")))::text
                FROM message_edits WHERE edited_by = $1
                """,
            ]
        }
    }

    func export(userID: UUID, format: ExportFormat, _ line: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        // Never re-run: lines already sent cannot be taken back.
        try database.write { connection in
            try connection.withTransaction(isolation: .repeatableRead, maxAttempts: 1) { connection in
                var lines = 0
                var binds = PostgresBindings()
                binds.append(userID)
                for statement in Self.statements(format) {
                    // The statements are constants of this file; the one value is a bind.
                    lines += try connection.forEachRow(PostgresQuery(unsafeSQL: statement, binds: binds)) { row in
                        try row.withUnsafeBytes(at: 0) { bytes in
                            if let bytes { try line(bytes) }
                        }
                    }
                }
                return lines
            }
        }
    }
}
