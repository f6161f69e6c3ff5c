import FoundationEssentials

/// Where browser sessions are kept (`web_sessions`, migration 0010). Sessions are found by the
/// SHA-256 of their token; the token itself is never stored.
protocol SessionRepository {
    func insert(tokenHash: String, userID: UUID, lifetime: Duration) throws
    /// The user of the live session `tokenHash` — not expired, not idle longer than
    /// `idleTimeout`, its account still there — and marks it used now (at most once per
    /// `touchInterval`). Nil when there is no such session.
    func resume(tokenHash: String, idleTimeout: Duration, touchInterval: Duration) throws -> ResumedSession?
    /// True when a session was deleted.
    @discardableResult
    func delete(tokenHash: String) throws -> Bool
    /// Deletes up to `limit` sessions that are over (expired or idle); returns how many.
    @discardableResult
    func purgeEnded(idleTimeout: Duration, limit: Int) throws -> Int
}

/// A live session's user, with their unread notifications as the same statement read them
/// (migration 0016's counter): the pages' badge without a statement of its own.
struct ResumedSession {
    let user: AuthenticatedUser
    let unreadNotifications: Int
}
