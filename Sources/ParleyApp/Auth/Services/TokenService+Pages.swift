import FoundationEssentials
import Web

/// What the pages need of log-in, with the API's rules and counters: the same failed-log-in
/// limits per account and per client address (the same rate-limit keys, so failures through
/// the form and through `POST /api/token/` add up), the same hashing gate, the same timing for
/// unknown users, the same rehash on success — but a browser session instead of a JWT pair.
/// The checks themselves are ``TokenService/verifyCredentials(_:against:accountKey:clientAddress:)``,
/// which `login` shares.
extension TokenService {
    /// Checks a username-or-email and password; the account on success.
    /// Throws ``AccountError/validation(_:)`` for missing fields, ``AccountError/invalidCredentials``
    /// for a wrong pair (never saying which half), ``AccountError/throttled(retryAfterSeconds:)``
    /// when over a limit (checked before any hashing).
    func authenticate(identifier: String?, password: String?, clientAddress: String?) throws -> Account {
        var errors: [String: [String]] = [:]
        if identifier == nil { errors["username"] = [AccountValidation.required] } else if identifier!.trimmingWhitespace().isEmpty { errors["username"] = [AccountValidation.blank] }
        if password == nil { errors["password"] = [AccountValidation.required] } else if password!.isEmpty { errors["password"] = [AccountValidation.blank] }
        guard errors.isEmpty, var identifier, let password else { throw AccountError.validation(errors) }
        guard PasswordHasher.normalized(password).count <= configuration.maxPasswordBytes else { throw AccountError.invalidCredentials }
        identifier = identifier.trimmingWhitespaceAndNewlines().nfkcNormalized
        guard !identifier.unicodeScalars.contains("\u{0}"), identifier.count <= 254 else { throw AccountError.invalidCredentials }
        let credentials = try accounts.credentials(login: identifier, emailOnly: false)
        let accountKey = "login-failures:account:" + (credentials.map { $0.account.id.apiString } ?? "name:" + identifier.lowercased())
        return try verifyCredentials(password, against: credentials, accountKey: accountKey, clientAddress: clientAddress).account
    }

    /// Asks a signed-in user for their password again before a change that needs it (a new
    /// password, deleting the account). A wrong one counts as a failed log-in of the account.
    /// Returns the verified credentials (the hash a password change replaces).
    func confirmPassword(of userID: UUID, password: String?, clientAddress: String?) throws -> AccountCredentials {
        guard let password, !password.isEmpty else { throw AccountError.validation("password", AccountValidation.required) }
        guard PasswordHasher.normalized(password).count <= configuration.maxPasswordBytes else { throw AccountError.invalidCredentials }
        guard let account = try accounts.find(id: userID),
              let credentials = try accounts.credentials(login: account.username, emailOnly: false),
              credentials.account.id == userID
        else { throw AccountError.notFound }
        return try verifyCredentials(password, against: credentials, accountKey: "login-failures:account:" + userID.apiString, clientAddress: clientAddress)
    }
}
