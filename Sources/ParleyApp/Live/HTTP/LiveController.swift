import FoundationEssentials
import Synchronization
import Web

/// `GET /api/live/authorize`: the subscription check nginx's `nchan_authorize_request` makes
/// for every live subscriber (`/live/…` pages with the session cookie, `/api/…/events/` with a
/// bearer token). nginx passes the subscriber's own headers and the channel it computed
/// (`X-Channel-Id`); 200 subscribes, anything else is passed to the subscriber as it is.
/// One indexed query: the credential and the participation are checked together.
struct LiveController {
    static let authorizePath = "/api/live/authorize"
    /// Serializes ``keepResumable(_:context:)`` within the process.
    static let resumeGate = Mutex<Void>(())

    let services: AppServices

    func register(on router: inout Router<AppContext>) {
        router.get(Self.authorizePath) { request, context in
            try authorize(request, context: context)
        }
    }

    func authorize(_ request: Request, context: AppContext) throws -> Response {
        // The credential first, so that a request without one is a 401 whatever else it lacks.
        enum Credential { case token(JWTClaims), session(String) }
        let credential: Credential
        if let header = request.headers["Authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                  let claims = try? services.signer.verify(parts[1].trimmingSpaces()), claims.tokenType == .access
            else {
                throw AuthenticationError.invalidToken
            }
            credential = .token(claims)
        } else if let token = request.cookies[SessionCookies.session], !token.isEmpty {
            credential = .session(token)
        } else {
            throw AuthenticationError.notProvided
        }
        guard let text = request.headers["X-Channel-Id"] else {
            throw HTTPError(.badRequest, "The X-Channel-Id header is required (nginx sets it).")
        }
        // A channel that cannot exist (a malformed id in the subscriber's URL): as a malformed id elsewhere.
        guard let channel = LiveChannel(nchanID: text) else { throw HTTPError(.notFound) }
        let repository = services.live(context)
        let allowed: Bool? = switch credential {
        case .token(let claims):
            try repository.authorize(channel, userID: claims.userID, family: claims.family.flatMap { UUID(apiString: $0) })
        case .session(let token):
            try repository.authorize(
                channel, sessionTokenHash: SessionService.hash(token), idleTimeout: services.configuration.sessions.idleTimeout)
        }
        guard let allowed else { throw AuthenticationError.notProvided }
        guard allowed else {
            throw HTTPError(.forbidden, "You may not listen to this channel: it is not your conversation or your account.")
        }
        if Self.isResuming(request) { keepResumable(channel, context: context) }
        var response = Response(status: .ok)
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// Whether the subscriber resumes from an event id (`Last-Event-ID`, or `last_event_id` in
    /// the query of its URL, which nginx passes as `X-Original-URI`).
    static func isResuming(_ request: Request) -> Bool {
        if let id = request.headers["Last-Event-ID"], !id.isEmpty { return true }
        guard let uri = request.headers["X-Original-URI"], let question = uri.firstIndex(of: "?") else { return false }
        guard let query = try? URLEncodedForm(parsing: uri[uri.index(after: question)...]) else { return false }
        return query["last_event_id"].map { !$0.isEmpty } ?? false
    }

    /// Nchan 1.3.6 aborts a worker when a subscriber resumes from an event id on a channel that
    /// holds no message (after every nginx reload, which empties all channels). So before such
    /// a subscriber is let in, an empty channel gets one `resync` event, which also tells the
    /// page to fetch what it may have missed. Best effort: nginx unreachable, nothing to do.
    ///
    /// After a reload every subscriber of a channel resumes at once. The check and the publish
    /// are serialized within the process, so the first one publishes and the others find the
    /// channel holding it: one `resync` per process, not one per subscriber (200 of them
    /// pushed real events out of the 50-event buffer before slow subscribers read them).
    func keepResumable(_ channel: LiveChannel, context: AppContext) {
        guard let client = services.configuration.live.client else { return }
        do {
            try Self.resumeGate.withLock { _ in
                if try client.storedMessages(path: channel.publishPath) == 0 {
                    _ = try client.publish(path: channel.publishPath, event: "resync", body: Array(#"{"type":"resync"}"#.utf8))
                }
            }
        } catch {
            context.logger.warning("live: could not check the channel before a resume", metadata: ["error": "\(error)"])
        }
    }
}
