import FoundationEssentials

/// Where browser sessions are kept (`web_sessions`, migration 0010). Sessions are found by the
/// SHA-256 of their token; the token itself is never stored.
protocol SessionRepository {
    func insert(tokenHash: String, userID: UUID, lifetime: Duration) throws
    /// The user of the live session `tokenHash` — not expired, not idle longer than
    /// `idleTimeout`, its account still there — and marks it used now (at most once per
    /// `touchInterval`). Nil when there is no such session.
    func resume(tokenHash: String, idleTimeout: Duration, touchInterval: Duration) throws -> ResumedSession?
    /// The same check, riding in front of the request's next read (``DeferredSession``):
    /// `verdict` gets the session (nil when there is none) and whether it is due a touch, which
    /// the caller then makes with ``touch(tokenHash:touchInterval:)``.
    func deferResume(
        tokenHash: String, idleTimeout: Duration, touchInterval: Duration,
        verdict: @escaping (_ session: ResumedSession?, _ stale: Bool) throws -> Void)
    /// Runs a deferred check still pending, alone.
    func settleDeferredResume() throws
    /// Drops a deferred check still pending.
    func dropDeferredResume()
    /// Marks the session used now, unless it was within `touchInterval`.
    func touch(tokenHash: String, touchInterval: Duration) throws
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
