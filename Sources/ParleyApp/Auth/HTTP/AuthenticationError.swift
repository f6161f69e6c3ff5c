import Web

/// 401s with the texts DRF and simplejwt use, and the `WWW-Authenticate` challenge.
public struct AuthenticationError: HTTPResponseError, Equatable {
    public let publicMessage: String
    public var status: HTTPStatus { .unauthorized }
    public var headers: HTTPHeaders { ["WWW-Authenticate": #"Bearer realm="api""#] }

    public static let notProvided = AuthenticationError(publicMessage: "Authentication credentials were not provided.")
    public static let invalidHeader = AuthenticationError(publicMessage: "Authorization header must contain two space-delimited values: Bearer <token>.")
    public static let invalidToken = AuthenticationError(publicMessage: "Given token not valid for any token type")
    public static let userNotFound = AuthenticationError(publicMessage: "User not found")
    public static let badCredentials = AuthenticationError(publicMessage: "No active account found with the given credentials")
    /// A refresh token that is not valid (simplejwt's wording), or an access token sent to refresh.
    public static let invalidRefreshToken = AuthenticationError(publicMessage: "Token is invalid or expired")
}
