import Logging
import Postgres
import Web

/// Per-request context: the logger tagged with the request id, the user once authenticated, and
/// the database of the worker thread serving the request (one connection per thread).
public final class AppContext: RequestContext {
    public var logger: Logger
    public let database: PostgresDatabase
    public let requestID: String
    /// The authenticated user, set by the authentication middleware.
    public var user: AuthenticatedUser? {
        didSet { userID = user?.id.apiString }
    }
    public var userID: String?

    public init(request: Request, database: PostgresDatabase, logger: Logger) {
        var logger = logger
        logger[metadataKey: "request_id"] = "\(request.id)"
        self.logger = logger
        self.database = database
        self.requestID = request.id
    }

    /// The authenticated user, or a 401 (`WWW-Authenticate: Bearer`).
    public func requireUser() throws(AuthenticationError) -> AuthenticatedUser {
        guard let user else { throw .notProvided }
        return user
    }

    /// The authenticated user if an admin; 401 when anonymous, 403 otherwise.
    public func requireAdmin() throws -> AuthenticatedUser {
        let user = try requireUser()
        guard user.isAdmin else { throw HTTPError(.forbidden) }
        return user
    }
}
