import FoundationEssentials
import Postgres

/// `web_sessions` in PostgreSQL. The lookup on every page view is one statement on the primary
/// key; it writes `last_seen_at` only when the stored value is older than the touch interval.
struct PostgresSessionRepository: SessionRepository {
    let database: PostgresDatabase

    func insert(tokenHash: String, userID: UUID, lifetime: Duration) throws {
        try database.write { connection in
            try connection.execute("""
                INSERT INTO web_sessions (token_hash, user_id, expires_at)
                VALUES (\(tokenHash), \(userID), now() + make_interval(secs => \(Double(lifetime.wholeSeconds))))
                """)
        }
    }

    func resume(tokenHash: String, idleTimeout: Duration, touchInterval: Duration) throws -> ResumedSession? {
        try database.write { connection in
            // The UPDATE in the WITH runs whether or not the SELECT reads it; the SELECT sees
            // the row as it was before.
            let rows = try connection.query("""
                WITH live AS (
                    SELECT s.token_hash, s.last_seen_at, u.user_id, u.username, u.role, u.unread_notification_count
                    FROM web_sessions s JOIN users u ON u.user_id = s.user_id
                    WHERE s.token_hash = \(tokenHash)
                      AND s.expires_at > now()
                      AND s.last_seen_at > now() - make_interval(secs => \(Double(idleTimeout.wholeSeconds)))
                ), touched AS (
                    UPDATE web_sessions w SET last_seen_at = now()
                    FROM live
                    WHERE w.token_hash = live.token_hash
                      AND live.last_seen_at < now() - make_interval(secs => \(Double(touchInterval.wholeSeconds)))
                    RETURNING w.token_hash
                )
                SELECT user_id, username, role, unread_notification_count FROM live
                """)
            guard let row = rows.first else { return nil }
            let (id, username, role, unread) = try row.decode((UUID, String, String, Int).self)
            return ResumedSession(user: AuthenticatedUser(id: id, username: username, role: Role(rawValue: role) ?? .guest), unreadNotifications: unread)
        }
    }

    func delete(tokenHash: String) throws -> Bool {
        try database.write { connection in
            try connection.execute("DELETE FROM web_sessions WHERE token_hash = \(tokenHash)") > 0
        }
    }

    func purgeEnded(idleTimeout: Duration, limit: Int) throws -> Int {
        try database.write { connection in
            try connection.execute("""
                DELETE FROM web_sessions WHERE token_hash IN (
                    SELECT token_hash FROM web_sessions
                    WHERE expires_at <= now()
                       OR last_seen_at <= now() - make_interval(secs => \(Double(idleTimeout.wholeSeconds)))
                    LIMIT \(limit))
                """)
        }
    }
}
