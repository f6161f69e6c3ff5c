import FoundationEssentials
import Postgres

struct PostgresLiveRepository: LiveRepository {
    let database: PostgresDatabase

    func authorize(_ channel: LiveChannel, sessionTokenHash tokenHash: String, idleTimeout: Duration) throws -> Bool? {
        let (conversationID, ownerID) = Self.targets(channel)
        return try database.read { connection in
            // The session by its primary key, then the participant row by its primary key.
            let rows = try connection.query("""
                SELECT s.user_id = \(ownerID)
                       OR EXISTS (SELECT 1 FROM conversation_participants p
                                  WHERE p.conversation_id = \(conversationID) AND p.user_id = s.user_id) AS allowed
                FROM web_sessions s
                WHERE s.token_hash = \(tokenHash)
                  AND s.expires_at > now()
                  AND s.last_seen_at > now() - make_interval(secs => \(Double(idleTimeout.wholeSeconds)))
                """)
            guard let row = rows.first else { return nil }
            return try row.decode(Bool?.self, at: 0) ?? false
        }
    }

    func authorize(_ channel: LiveChannel, userID: UUID, family: UUID?) throws -> Bool? {
        let (conversationID, ownerID) = Self.targets(channel)
        return try database.read { connection in
            let rows = try connection.query("""
                SELECT u.user_id = \(ownerID)
                       OR EXISTS (SELECT 1 FROM conversation_participants p
                                  WHERE p.conversation_id = \(conversationID) AND p.user_id = u.user_id) AS allowed
                FROM users u
                WHERE u.user_id = \(userID)
                  AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = \(family) AND revoked_at IS NOT NULL)
                """)
            guard let row = rows.first else { return nil }
            return try row.decode(Bool?.self, at: 0) ?? false
        }
    }

    /// The conversation to be a participant of, or the user to be; the other is NULL.
    private static func targets(_ channel: LiveChannel) -> (UUID?, UUID?) {
        switch channel {
        case .conversation(let id): (id, nil)
        case .user(let id): (nil, id)
        }
    }
}
