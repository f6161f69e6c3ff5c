import Logging
import Postgres
import Web

/// Per-request context: the logger tagged with the request id, the user once authenticated, and
/// the database of the worker thread serving the request (one connection per thread).
public final class AppContext: RequestContext {
    public var logger: Logger
    public var userID: String?
    public let database: PostgresDatabase

    public init(request: Request, database: PostgresDatabase, logger: Logger) {
        var logger = logger
        logger[metadataKey: "request_id"] = "\(request.id)"
        self.logger = logger
        self.database = database
    }
}
