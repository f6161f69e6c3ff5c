import FoundationEssentials
import Web
import Logging

/// Browser sessions: start one at log-in (always a new token, so a token planted before the
/// log-in is worth nothing), find the user behind a cookie, end one or all of a user's.
///
/// A token is 32 random bytes (256 bits) in URL-safe Base64; the database keeps its SHA-256.
struct SessionService {
    let sessions: any SessionRepository
    let configuration: SessionConfiguration
    /// Whose each session token (by its hash) is, as this process has seen it started or
    /// resumed. A token names one user for as long as it lives, so a page can key its reads by
    /// that id while the session check rides in front of them (``DeferredSession``); the check
    /// alone still decides whether the session is live.
    let users: BoundedCache<UUID>
    var logger = Logger(label: "parley.sessions")
    /// One log-in in this many also deletes a batch of sessions that are over.
    static let purgeOneIn = 64

    /// A new session for `userID`; returns the token for the cookie.
    func start(for userID: UUID) throws -> String {
        let token = Sodium.randomToken(bytes: 32)
        let hash = Self.hash(token)
        try sessions.insert(tokenHash: hash, userID: userID, lifetime: configuration.absoluteLifetime)
        users.insert(userID, for: hash)
        if Int.random(in: 0..<Self.purgeOneIn) == 0 {
            do {
                let purged = try sessions.purgeEnded(idleTimeout: configuration.idleTimeout, limit: 500)
                if purged > 0 { logger.debug("purged ended sessions", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.warning("session purge failed", metadata: ["error": "\(logDescription(of: error))"])
            }
        }
        return token
    }

    /// The user whose live session `token` is, with their unread notifications; nil for
    /// anything else (unknown, expired, idle, malformed, or the account is gone).
    func resume(token: String) throws -> ResumedSession? {
        guard Self.isWellFormed(token) else { return nil }
        let hash = Self.hash(token)
        guard let session = try sessions.resume(tokenHash: hash, idleTimeout: configuration.idleTimeout, touchInterval: configuration.touchInterval) else {
            users.remove(hash)
            return nil
        }
        users.insert(session.user.id, for: hash)
        return session
    }

    /// The check of `token` to ride with the request's first read, when this process knows
    /// whose it is (``users``); nil otherwise (then ``resume(token:)`` it).
    func deferredResume(token: String, context: AppContext) -> DeferredSession? {
        guard Self.isWellFormed(token) else { return nil }
        let hash = Self.hash(token)
        guard let userID = users[hash] else { return nil }
        return DeferredSession(service: self, tokenHash: hash, userID: userID, context: context)
    }

    /// Log-out: the session is gone server-side, whatever the browser does with its cookie.
    func end(token: String) throws {
        guard Self.isWellFormed(token) else { return }
        let hash = Self.hash(token)
        users.remove(hash)
        try sessions.delete(tokenHash: hash)
    }

    /// What is stored for `token`.
    static func hash(_ token: String) -> String {
        Sodium.sha256Hex(token)
    }

    /// 43 characters of the URL-safe Base64 alphabet: what ``start(for:)`` issues.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
        }
    }
}
