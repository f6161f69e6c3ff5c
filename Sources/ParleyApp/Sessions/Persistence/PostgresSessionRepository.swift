import FoundationEssentials
import Postgres

/// `web_sessions` in PostgreSQL. The lookup on every page view is one read on the primary key;
/// a second statement writes `last_seen_at` only when the stored value is older than the touch
/// interval.
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
        // A read, then a write only when `last_seen_at` (which the idle timeout counts from) is
        // older than the touch interval: most views write nothing. The touch in a WITH … UPDATE
        // of the same statement cost PostgreSQL about 10 µs on every view even when it matched
        // nothing, and `write` a liveness poll (bench/README.md, "One sync per pipeline").
        let row = try database.read { connection in
            try connection.query(Self.resumeQuery(tokenHash: tokenHash, idleTimeout: idleTimeout, touchInterval: touchInterval)).first
        }
        guard let (session, stale) = try Self.resumed(row) else { return nil }
        if stale { try touch(tokenHash: tokenHash, touchInterval: touchInterval) }
        return session
    }

    func deferResume(
        tokenHash: String, idleTimeout: Duration, touchInterval: Duration,
        verdict: @escaping (_ session: ResumedSession?, _ stale: Bool) throws -> Void
    ) {
        let query = Self.resumeQuery(tokenHash: tokenHash, idleTimeout: idleTimeout, touchInterval: touchInterval)
        database.setPrecondition(PostgresPrecondition(query: query) { rows in
            let resumed = try Self.resumed(rows.first)
            try verdict(resumed?.session, resumed?.stale ?? false)
        })
    }

    func settleDeferredResume() throws {
        try database.settlePrecondition()
    }

    func dropDeferredResume() {
        database.setPrecondition(nil)
    }

    func touch(tokenHash: String, touchInterval: Duration) throws {
        try database.write { connection in
            try connection.execute("""
                UPDATE web_sessions SET last_seen_at = now()
                WHERE token_hash = \(tokenHash)
                  AND last_seen_at < now() - make_interval(secs => \(Double(touchInterval.wholeSeconds)))
                """)
        }
    }

    /// The live session's user, their unread notifications, and whether its `last_seen_at` is
    /// due a touch.
    private static func resumeQuery(tokenHash: String, idleTimeout: Duration, touchInterval: Duration) -> PostgresQuery {
        """
        SELECT u.user_id, u.username, u.role, u.unread_notification_count,
               s.last_seen_at < now() - make_interval(secs => \(Double(touchInterval.wholeSeconds))) AS stale
        FROM web_sessions s JOIN users u ON u.user_id = s.user_id
        WHERE s.token_hash = \(tokenHash)
          AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => \(Double(idleTimeout.wholeSeconds)))
        """
    }

    private static func resumed(_ row: PostgresRow?) throws -> (session: ResumedSession, stale: Bool)? {
        guard let row else { return nil }
        let (id, username, role, unread, stale) = try row.decode((UUID, String, String, Int, Bool).self)
        let user = AuthenticatedUser(id: id, username: username, role: Role(rawValue: role) ?? .guest)
        return (ResumedSession(user: user, unreadNotifications: unread), stale)
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
