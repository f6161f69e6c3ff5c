import Foundation

/// What the pages need of log-in, with the API's rules and counters: the same failed-log-in
/// limits per account and per client address (the same rate-limit keys, so failures through
/// the form and through `POST /api/token/` add up), the same hashing gate, the same timing for
/// unknown users, the same rehash on success — but a browser session instead of a JWT pair.
///
/// (`login` could be this plus issuing the pair; it is kept apart so as not to change the
/// token service while its authors polish it.)
extension TokenService {
    /// Checks a username-or-email and password; the account on success.
    /// Throws ``AccountError/validation(_:)`` for missing fields, ``AccountError/invalidCredentials``
    /// for a wrong pair (never saying which half), ``AccountError/throttled(retryAfterSeconds:)``
    /// when over a limit (checked before any hashing).
    func authenticate(identifier: String?, password: String?, clientAddress: String?) throws -> Account {
        var errors: [String: [String]] = [:]
        if identifier == nil { errors["username"] = [AccountValidation.required] } else if identifier!.trimmingCharacters(in: .whitespaces).isEmpty { errors["username"] = [AccountValidation.blank] }
        if password == nil { errors["password"] = [AccountValidation.required] } else if password!.isEmpty { errors["password"] = [AccountValidation.blank] }
        guard errors.isEmpty, var identifier, let password else { throw AccountError.validation(errors) }
        guard PasswordHasher.normalized(password).count <= configuration.maxPasswordBytes else { throw AccountError.invalidCredentials }
        identifier = identifier.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCompatibilityMapping
        guard !identifier.unicodeScalars.contains("\u{0}"), identifier.count <= 254 else { throw AccountError.invalidCredentials }
        let credentials = try accounts.credentials(login: identifier, emailOnly: false)
        let accountKey = "login-failures:account:" + (credentials.map { $0.account.id.uuidString.lowercased() } ?? "name:" + identifier.lowercased())
        return try verify(password, against: credentials, accountKey: accountKey, clientAddress: clientAddress).account
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
        return try verify(password, against: credentials, accountKey: "login-failures:account:" + userID.uuidString.lowercased(), clientAddress: clientAddress)
    }

    /// Revokes every refresh-token family of `userID`: its API log-ins end, access tokens
    /// included (authentication checks the family). For a password change.
    func revokeAllTokens(of userID: UUID) throws {
        guard let bulk = tokens as? any RefreshTokenBulkRevocation else {
            logger.warning("this token store cannot revoke a user's tokens", metadata: ["user": "\(userID.uuidString.lowercased())"])
            return
        }
        let count = try bulk.revokeAll(userID: userID, at: now())
        logger.info("refresh tokens revoked", metadata: ["user": "\(userID.uuidString.lowercased())", "families": "\(count)"])
    }

    private func verify(_ password: String, against credentials: AccountCredentials?, accountKey: String, clientAddress: String?) throws -> AccountCredentials {
        let addressKey = clientAddress.map { "login-failures:address:" + ClientAddress.throttleKey($0) }
        let window = configuration.loginFailureWindow
        let accountCheck = try limiter.check(key: accountKey, limit: configuration.loginFailuresPerAccount, window: window)
        let addressCheck = try addressKey.map { try limiter.check(key: $0, limit: configuration.loginFailuresPerAddress, window: window) }
        let refusals = [accountCheck, addressCheck].compactMap { $0 }.filter { !$0.isAllowed }
        if !refusals.isEmpty {
            logger.notice("log-in throttled", metadata: ["account_limited": "\(!accountCheck.isAllowed)", "address": "\(clientAddress ?? "-")"])
            throw AccountError.throttled(retryAfterSeconds: refusals.map(\.retryAfterSeconds).max() ?? 1)
        }
        let verified: Bool
        if let credentials {
            verified = try AccountService.hashing { try hasher.verify(password, against: credentials.passwordHash) }
        } else {
            try AccountService.hashing { try hasher.verifyUnknownUser(password) }
            verified = false
        }
        guard verified, let credentials else {
            _ = try limiter.consume(key: accountKey, limit: configuration.loginFailuresPerAccount, window: window)
            if let addressKey { _ = try limiter.consume(key: addressKey, limit: configuration.loginFailuresPerAddress, window: window) }
            throw AccountError.invalidCredentials
        }
        if accountCheck.remaining < configuration.loginFailuresPerAccount { try limiter.reset(key: accountKey) }
        if hasher.needsRehash(credentials.passwordHash) {
            // Best effort, as at API log-in: the log-in has succeeded either way.
            do {
                let newHash = try hasher.hash(password)
                if try accounts.replacePasswordHash(id: credentials.account.id, oldHash: credentials.passwordHash, newHash: newHash) {
                    return AccountCredentials(account: credentials.account, passwordHash: newHash)
                }
            } catch {
                logger.warning("password rehash skipped", metadata: ["user": "\(credentials.account.id.uuidString.lowercased())", "error": "\(error)"])
            }
        }
        return credentials
    }
}

/// A token store that can revoke all of one user's refresh tokens at once.
protocol RefreshTokenBulkRevocation {
    /// Revokes every live token of `userID`; returns how many families were touched.
    func revokeAll(userID: UUID, at time: Date) throws -> Int
}

extension PostgresRefreshTokenRepository: RefreshTokenBulkRevocation {
    func revokeAll(userID: UUID, at time: Date) throws -> Int {
        try database.write { connection in
            try connection.query("""
                UPDATE refresh_tokens SET revoked_at = \(time)
                WHERE user_id = \(userID) AND revoked_at IS NULL
                RETURNING family_id
                """).decode(UUID.self).reduce(into: Set<UUID>()) { $0.insert($1) }.count
        }
    }
}
