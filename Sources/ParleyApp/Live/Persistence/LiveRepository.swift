import FoundationEssentials

/// The subscription check of live updates, one indexed query each: who is asking (a browser
/// session or an access token's user) and whether they may hear `channel` (a participant of
/// the conversation, the owner of the user channel).
protocol LiveRepository {
    /// Nil when `tokenHash` names no live session (expired, idle, logged out); else whether its
    /// user may subscribe. The session is not marked used: holding a stream open is not activity.
    func authorize(_ channel: LiveChannel, sessionTokenHash tokenHash: String, idleTimeout: Duration) throws -> Bool?
    /// Nil when the account is gone or the token's refresh family was revoked; else whether the
    /// user may subscribe.
    func authorize(_ channel: LiveChannel, userID: UUID, family: UUID?) throws -> Bool?
}
