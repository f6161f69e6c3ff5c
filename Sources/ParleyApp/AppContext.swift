import FoundationEssentials
import Logging
import Postgres
import Web

/// Per-request context: the logger tagged with the request id, the user once authenticated, and
/// the database of the worker thread serving the request (one connection per thread).
public final class AppContext: RequestContext {
    /// The server's logger, without the request id.
    private let baseLogger: Logger
    /// The request's logger, made on first use: tagging a logger copies its metadata
    /// dictionary and the handler's existential box, which most requests
    /// (no error, no access log) never need.
    private var taggedLogger: Logger?

    /// The logger with `request_id` in its metadata.
    public var logger: Logger {
        get {
            if let taggedLogger { return taggedLogger }
            var logger = baseLogger
            logger[metadataKey: "request_id"] = .string(requestID)
            taggedLogger = logger
            return logger
        }
        set { taggedLogger = newValue }
    }

    /// The server logger's level, when the caller knows it (asking the logger goes through its
    /// handler's existential box on every request).
    private let baseLogLevel: Logger.Level?

    /// The logger's level, without tagging it.
    public var logLevel: Logger.Level { taggedLogger?.logLevel ?? baseLogLevel ?? baseLogger.logLevel }

    /// The database this request's statements use: the worker thread's primary connection, or
    /// its replica for a lag-tolerant read (``ReadRoutingMiddleware``).
    public internal(set) var database: PostgresDatabase
    /// The worker thread's way to the replica, when one is configured.
    public let replicaRoute: ReplicaRoute?
    public let requestID: String
    /// The authenticated user, set by the authentication middleware.
    public var user: AuthenticatedUser? {
        didSet { userID = user?.id.apiString }
    }
    public var userID: String?
    /// The session user's unread notifications as the session check read them (browser
    /// sessions only): the pages' badge, unless the page changed them since.
    var sessionUnreadNotifications: Int?
    public var route: Int?

    public convenience init(request: Request, database: PostgresDatabase, logger: Logger) {
        self.init(requestID: request.id, database: database, logger: logger)
    }

    /// What the context takes from the request: its id (the server's per-request path, which
    /// so copies and destroys no request).
    /// - Parameter logLevel: `logger.logLevel`, if the caller has it at hand (it must be that).
    public init(
        requestID: String, database: PostgresDatabase, logger: Logger, logLevel: Logger.Level? = nil, replicaRoute: ReplicaRoute? = nil
    ) {
        self.baseLogger = logger
        self.baseLogLevel = logLevel
        self.database = database
        self.replicaRoute = replicaRoute
        self.requestID = requestID
    }

    /// An access token's user check still riding with the first read.
    var deferredAuthentication: DeferredAuthentication?
    /// A page's session check still riding with the first read.
    var deferredSession: DeferredSession?
    /// The request's session cookie names no live session: the answer deletes it.
    var sessionCookieIsDead = false

    /// The authenticated user, or a 401 (`WWW-Authenticate: Bearer`). A deferred check is
    /// settled first, in a round trip of its own.
    public func requireUser() throws -> AuthenticatedUser {
        if let user { return user }
        if let deferredAuthentication { return try deferredAuthentication.settle() }
        throw AuthenticationError.notProvided
    }

    /// The authenticated user's id, for a statement keyed by it: a deferred check is not
    /// settled here but rides in front of the next read, or runs alone before the next write
    /// (``DeferredAuthentication``). Only for handlers that do nothing else for the user first.
    public func requireUserID() throws -> UUID {
        if let user { return user.id }
        if let deferredAuthentication { return deferredAuthentication.userID }
        throw AuthenticationError.notProvided
    }

    /// The authenticated user if an admin; 401 when anonymous, 403 otherwise.
    public func requireAdmin() throws -> AuthenticatedUser {
        let user = try requireUser()
        guard user.isAdmin else { throw HTTPError(.forbidden) }
        return user
    }
}
