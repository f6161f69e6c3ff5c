import Web

/// How the services' refusals look over HTTP (DRF's statuses and texts). Only controllers
/// rely on this; services throw ``AccountError`` without knowing of HTTP.
extension AccountError: HTTPResponseError {
    public var status: HTTPStatus {
        switch kind {
        case .validation: .badRequest
        case .notFound, .invalidPage: .notFound
        case .invalidCredentials, .invalidToken, .loginExpired: .unauthorized
        case .throttled: .tooManyRequests
        case .busy: .serviceUnavailable
        }
    }

    public var publicMessage: String {
        switch kind {
        case .validation: "Invalid input."
        case .notFound: "Not found."
        case .invalidPage: "Invalid page."
        case .invalidCredentials: AuthenticationError.badCredentials.publicMessage
        case .invalidToken: AuthenticationError.invalidRefreshToken.publicMessage
        case .loginExpired(let days): "This log-in is more than \(days) days old and cannot be refreshed. Log in again."
        case .throttled(let seconds): RateLimitDecision(isAllowed: false, limit: 0, remaining: 0, retryAfterSeconds: seconds).throttledError.publicMessage
        case .busy: "The server is busy; try again shortly."
        }
    }

    public var headers: HTTPHeaders {
        switch kind {
        case .invalidCredentials, .invalidToken, .loginExpired: AuthenticationError.badCredentials.headers
        case .throttled(let seconds), .busy(let seconds): ["Retry-After": String(max(1, seconds))]
        default: HTTPHeaders()
        }
    }
}
