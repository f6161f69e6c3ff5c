import Postgres
import Web

/// A database that cannot be reached is not a bug in the request: it answers 503 with
/// `Retry-After`, on the API and the pages, instead of the 500 of an internal error. Just inside
/// the page middleware (which renders the 503 as a page) and outside the session and token
/// checks, so that their statements are covered too.
struct DatabaseUnavailableMiddleware: Middleware {
    static let retryAfterSeconds = 2

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        do {
            return try next(request, context)
        } catch let error where Self.isUnreachable(error) {
            context.logger.warning("database unavailable", metadata: ["error": "\(logDescription(of: error))"])
            throw HTTPError(
                .serviceUnavailable, "The service is briefly unavailable; try again in a moment.",
                headers: ["Retry-After": String(Self.retryAfterSeconds)])
        }
    }

    /// A failure to reach PostgreSQL (refused, timed out, or the connection lost), directly or
    /// as the decisive error of a transaction.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? PostgresError { return error.kind == .connection }
        if let error = error as? PostgresTransactionError { return isUnreachable(error.underlying) }
        return false
    }
}
