/// An error that knows how it should look to the client. Anything thrown that does not conform
/// becomes a plain 500 (see ``ErrorMiddleware``), so internal detail never leaks.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    /// Extra headers for the error response (`Allow`, `Retry-After`, `WWW-Authenticate`…).
    var headers: HTTPHeaders { get }
    /// The message shown to the client. It must be safe to show.
    var publicMessage: String { get }
    /// Field errors for validation failures (`{"email": ["Enter a valid email address."]}`).
    var fieldErrors: [String: [String]]? { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { HTTPHeaders() }
    public var fieldErrors: [String: [String]]? { nil }
}

/// The error type handlers throw for expected failures: `throw HTTPError(.notFound)`.
public struct HTTPError: HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var publicMessage: String
    public var headers: HTTPHeaders
    public var fieldErrors: [String: [String]]?

    public init(_ status: HTTPStatus, _ message: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.publicMessage = message ?? HTTPError.defaultMessage(for: status)
        self.headers = headers
    }

    /// A 400 with per-field messages, rendered DRF-style as `{"field": ["message"]}`.
    public static func validation(_ fields: [String: [String]]) -> HTTPError {
        var error = HTTPError(.badRequest, "Invalid input.")
        error.fieldErrors = fields
        return error
    }

    public var description: String { "HTTPError(\(status.code): \(publicMessage))" }

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.publicMessage == rhs.publicMessage && lhs.fieldErrors == rhs.fieldErrors
    }

    static func defaultMessage(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "Bad request."
        case 401: "Authentication credentials were not provided."
        case 403: "You do not have permission to perform this action."
        case 404: "Not found."
        case 405: "Method not allowed."
        case 413: "Request body too large."
        case 415: "Unsupported media type."
        case 429: "Request was throttled."
        case 503: "Service unavailable."
        default: status.code >= 500 ? "A server error occurred." : status.reasonPhrase
        }
    }
}
