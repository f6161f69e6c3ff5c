import Postgres
import Web

/// A database that cannot be reached, or that cannot serve the request just now, is not a bug
/// in the request: it answers 503 with `Retry-After`, on the API and the pages, instead of the
/// 500 of an internal error. Just inside the page middleware (which renders the 503 as a page)
/// and outside the session and token checks, so that their statements are covered too.
///
/// "Cannot serve it just now" covers a session the server ended (a restart, 57P01–57P03), a row
/// lock held elsewhere past `lock_timeout` (55P03), a statement cancelled by `statement_timeout`
/// or the request deadline (57014), and no connection slot left (53300). Each fails the
/// statement and rolls its transaction back, so nothing was stored and a retry is safe; the
/// connection itself stays usable (or is reopened by the next request).
struct DatabaseUnavailableMiddleware: Middleware {
    static let retryAfterSeconds = 2

    /// SQLSTATEs of a database that is busy rather than gone.
    static let busyCodes: Set<PostgresError.Code> = [.lockNotAvailable, .queryCanceled, .tooManyConnections]

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        do {
            return try next(request, context)
        } catch let error where Self.isUnavailable(error) {
            context.logger.warning(Self.isUnreachable(error) ? "database unavailable" : "database busy", metadata: ["error": "\(logDescription(of: error))"])
            throw HTTPError(
                .serviceUnavailable, "The service is briefly unavailable; try again in a moment.",
                headers: ["Retry-After": String(Self.retryAfterSeconds)])
        }
    }

    /// Unreachable, or busy: either way a 503.
    static func isUnavailable(_ error: any Error) -> Bool {
        if isUnreachable(error) { return true }
        if let error = error as? PostgresError { return error.code.map(busyCodes.contains) ?? false }
        if let error = error as? PostgresTransactionError { return isUnavailable(error.underlying) }
        return false
    }

    /// A failure to reach PostgreSQL (refused, timed out, the connection lost, or the session
    /// ended by the server), directly or as the decisive error of a transaction.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? PostgresError { return error.isConnectionFailure }
        if let error = error as? PostgresTransactionError { return isUnreachable(error.underlying) }
        return false
    }
}
