import Postgres
import Web

/// A database that cannot be reached is not a bug in the request: it answers 503 with
/// `Retry-After`, on the API and the pages, instead of the 500 of an internal error. Outermost
/// of the app's middleware, so that the session and token checks' statements are covered too.
struct DatabaseUnavailableMiddleware: Middleware {
    static let retryAfterSeconds = 2

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        do {
            return try next(request, context)
        } catch let error where Self.isUnreachable(error) {
            throw Self.refusal(for: error, context: context)
        }
    }

    /// The 503 for `error`, logged once as a warning (the page middleware, which renders errors
    /// itself, uses it too).
    static func refusal(for error: any Error, context: AppContext) -> HTTPError {
        context.logger.warning("database unavailable", metadata: ["error": "\(logDescription(of: error))"])
        return HTTPError(
            .serviceUnavailable, "The service is briefly unavailable; try again in a moment.",
            headers: ["Retry-After": String(retryAfterSeconds)])
    }

    /// A failure to reach PostgreSQL (refused, timed out, or the connection lost), directly or
    /// as the decisive error of a transaction.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? PostgresError { return error.kind == .connection }
        if let error = error as? PostgresTransactionError { return isUnreachable(error.underlying) }
        return false
    }
}
