import FoundationEssentials
import Logging
import Web

/// A page's session check riding in front of the page's first read instead of taking a round
/// trip of its own (issue 12: a conversation page is then one round trip). Only for a token
/// this process has seen before, whose user id is known (``SessionService/users``).
///
/// What keeps it safe is ``DeferredAuthentication``'s rule: what rides with the check only
/// reads; a write settles the check alone first; and ``SessionMiddleware`` settles it before
/// the answer leaves. A refused session throws ``SessionRefused`` out of the read that carried
/// it, so nothing read for it is used; the middleware answers the request as anonymous.
final class DeferredSession {
    let userID: UUID
    private let service: SessionService
    private let tokenHash: String
    private unowned let context: AppContext
    private(set) var refused = false
    /// The check found `last_seen_at` due a touch, made once the request is over.
    private var stale = false

    init(service: SessionService, tokenHash: String, userID: UUID, context: AppContext) {
        self.service = service
        self.tokenHash = tokenHash
        self.userID = userID
        self.context = context
    }

    /// Hands the check to the store, to go with the next read.
    func start() {
        let configuration = service.configuration
        service.sessions.deferResume(
            tokenHash: tokenHash, idleTimeout: configuration.idleTimeout, touchInterval: configuration.touchInterval
        ) { [self] session, stale in
            guard let session, session.user.id == userID else {
                refused = true
                service.users.remove(tokenHash)
                throw SessionRefused()
            }
            context.user = session.user
            context.sessionUnreadNotifications = session.unreadNotifications
            self.stale = stale
        }
    }

    /// The session's user: from the read that carried the check, or from the check run now;
    /// nil when it was refused.
    func settle() throws -> AuthenticatedUser? {
        if context.user == nil, !refused {
            try settlePending()
            if context.user == nil, !refused {
                // The pipeline that carried it failed before its answer came back: ask again, alone.
                start()
                try settlePending()
            }
        }
        return refused ? nil : context.user
    }

    /// The request is over: a check still pending must not ride with the thread's next
    /// request, and a session due a touch gets it.
    func finish() {
        service.sessions.dropDeferredResume()
        guard stale, !refused else { return }
        stale = false
        do {
            try service.sessions.touch(tokenHash: tokenHash, touchInterval: service.configuration.touchInterval)
        } catch {
            context.logger.warning("session touch failed", metadata: ["error": "\(logDescription(of: error))"])
        }
    }

    private func settlePending() throws {
        do {
            try service.sessions.settleDeferredResume()
        } catch is SessionRefused {
            // Recorded in `refused`.
        }
    }
}

/// A deferred session check refused the session: what rode with it is not to be used.
struct SessionRefused: Error {}
