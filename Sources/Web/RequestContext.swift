import Logging

/// Per-request state the application threads through middleware and handlers: the logger
/// (with the request id in its metadata), the authenticated user once known, and whatever the
/// application adds (its worker thread's database connection, for one).
///
/// A class, so that what an inner middleware learns (the user) is visible to an outer one
/// (the access log). A context lives on one worker thread for one request.
public protocol RequestContext: AnyObject, SendableMetatype {
    var logger: Logger { get set }
    /// The authenticated user's id, for the access log; nil when anonymous.
    var userID: String? { get set }
    /// `logger.logLevel`, which a context may know without building its logger (the access
    /// log asks it on every request).
    var logLevel: Logger.Level { get }
    /// The index of the route that matched (in registration order: ``Router/registeredRoutes``),
    /// for per-route metrics; nil when none did. Contexts that do not keep it answer nil.
    var route: Int? { get set }
}

extension RequestContext {
    public var logLevel: Logger.Level { logger.logLevel }

    public var route: Int? {
        get { nil }
        set {}
    }
}
