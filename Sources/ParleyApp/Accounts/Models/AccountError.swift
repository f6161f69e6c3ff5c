/// What the account and token services refuse, independent of HTTP (the controllers' layer
/// maps each to a status in `AccountError+HTTP.swift`).
public struct AccountError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        case validation([String: [String]])
        case notFound
        case invalidCredentials
        case invalidToken
        case throttled(retryAfterSeconds: Int)
        case busy(retryAfterSeconds: Int)
        case invalidPage
        case loginExpired(days: Int)
    }

    let kind: Kind

    /// Field errors, DRF-shaped: `["email": ["Enter a valid email address."]]`.
    public static func validation(_ fields: [String: [String]]) -> AccountError { AccountError(kind: .validation(fields)) }
    public static func validation(_ field: String, _ message: String) -> AccountError { .validation([field: [message]]) }
    public static let notFound = AccountError(kind: .notFound)
    /// Wrong password or unknown user: one answer for both.
    public static let invalidCredentials = AccountError(kind: .invalidCredentials)
    /// A refresh token that is forged, expired, of the wrong type, used up or revoked.
    public static let invalidToken = AccountError(kind: .invalidToken)
    public static func throttled(retryAfterSeconds: Int) -> AccountError { AccountError(kind: .throttled(retryAfterSeconds: retryAfterSeconds)) }
    /// Password hashing is saturated.
    public static func busy(retryAfterSeconds: Int) -> AccountError { AccountError(kind: .busy(retryAfterSeconds: retryAfterSeconds)) }
    public static let invalidPage = AccountError(kind: .invalidPage)
    /// A refresh token whose family (its log-in) is older than the absolute lifetime.
    public static func loginExpired(days: Int) -> AccountError { AccountError(kind: .loginExpired(days: days)) }

    public var fieldErrors: [String: [String]]? {
        if case .validation(let fields) = kind { return fields }
        return nil
    }

    /// Never includes a submitted value.
    public var description: String {
        switch kind {
        case .validation(let fields): "invalid input in \(fields.keys.sorted().joined(separator: ", "))"
        case .notFound: "not found"
        case .invalidCredentials: "invalid credentials"
        case .invalidToken: "invalid token"
        case .throttled(let seconds): "throttled for \(seconds) s"
        case .busy(let seconds): "password hashing busy, retry in \(seconds) s"
        case .invalidPage: "invalid page"
        case .loginExpired(let days): "log-in older than \(days) days"
        }
    }
}
