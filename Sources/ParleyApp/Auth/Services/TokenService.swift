import FoundationEssentials
import Web
import Logging

/// An access token and its refresh token, as `POST /api/token/` returns them.
struct TokenPair: Sendable, Equatable {
    var access: String
    var refresh: String
}

/// Log-in, refresh-token rotation with reuse detection (RFC 9700 §4.14.2), and log-out.
///
/// - Every log-in starts a refresh-token family. Each refresh marks its token used and issues
///   the next one of the family, in one transaction with the old token's row locked, so two
///   concurrent refreshes with one token cannot both succeed.
/// - A used token presented again means it was copied: the whole family is revoked, the
///   rotated-to token included. Access tokens carry the family (`fam`), and authentication
///   refuses an access token whose family is revoked, so log-out and reuse detection also end
///   the short-lived access tokens at once.
/// - Failed log-ins are limited per account and per client address (``RateLimiter``). A
///   throttled attempt is refused before any hashing.
struct TokenService {
    let accounts: any AccountRepository
    let tokens: any RefreshTokenRepository
    let hasher: PasswordHasher
    let limiter: RateLimiter
    let signer: JWTSigner
    let configuration: AuthConfiguration
    var now: @Sendable () -> Date = { Date() }
    var logger = Logger(label: "parley.auth")
    /// One log-in in this many also deletes expired refresh tokens.
    static let purgeOneIn = 64

    /// `identifier` is a username or an email; with `emailOnly` only an email matches.
    func login(identifier: String?, emailOnly: Bool, password: String?, clientAddress: String?) throws -> TokenPair {
        let field = emailOnly ? "email" : "username"
        var errors: [String: [String]] = [:]
        if identifier == nil { errors[field] = [AccountValidation.required] } else if identifier!.isEmpty { errors[field] = [AccountValidation.blank] }
        if password == nil { errors["password"] = [AccountValidation.required] } else if password!.isEmpty { errors["password"] = [AccountValidation.blank] }
        guard errors.isEmpty, var identifier, let password else { throw AccountError.validation(errors) }
        guard PasswordHasher.normalized(password).count <= configuration.maxPasswordBytes else {
            throw AccountError.validation("password", "Ensure this password has no more than \(configuration.maxPasswordBytes) bytes.")
        }
        identifier = identifier.trimmingWhitespaceAndNewlines().nfkcNormalized
        guard !identifier.unicodeScalars.contains("\u{0}"), identifier.count <= 254 else { throw AccountError.invalidCredentials }

        let credentials = try accounts.credentials(login: identifier, emailOnly: emailOnly)
        let accountKey = "login-failures:account:" + (credentials.map { $0.account.id.apiString } ?? "name:" + identifier.lowercased())
        let verified = try verifyCredentials(password, against: credentials, accountKey: accountKey, clientAddress: clientAddress)
        if Int.random(in: 0..<Self.purgeOneIn) == 0 { purgeExpiredTokens() }
        return try startFamily(for: verified.account.id)
    }

    /// The log-in checks every way in shares (API tokens, the log-in page, password
    /// confirmation): the failed-log-in limits per account and per client address, checked
    /// before any hashing; argon2id verification in the hashing gate, with the same cost for
    /// unknown users; counting a failure; resetting the account's count on success; and the
    /// rehash when the stored hash's parameters are below the current ones.
    func verifyCredentials(_ password: String, against credentials: AccountCredentials?, accountKey: String, clientAddress: String?) throws -> AccountCredentials {
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
        if hasher.needsRehash(credentials.passwordHash),
           let newHash = rehash(credentials.account.id, password, old: credentials.passwordHash) {
            return AccountCredentials(account: credentials.account, passwordHash: newHash)
        }
        return credentials
    }

    /// Rotates `token`: a fresh pair in the same family, the old token used up. Anything else
    /// (forged, expired, an access token, unknown, revoked, or reused, which also revokes the
    /// family) is ``AccountError/invalidToken``.
    func refresh(_ token: String?) throws -> TokenPair {
        let claims = try refreshClaims(token, checkExpiry: true)
        guard let family = claims.family.flatMap({ UUID(apiString: $0) }) else { throw AccountError.invalidToken }
        let hash = Sodium.sha256Hex(claims.jti)
        let time = now()
        enum Outcome { case rotated(String), invalid, reused, familyExpired }
        let outcome = try tokens.withLockedToken(hash: hash) { record, updates -> Outcome in
            guard let record, record.userID == claims.userID, record.familyID == family,
                  record.revokedAt == nil, record.expiresAt > time
            else { return .invalid }
            guard record.usedAt == nil else {
                try updates.revokeFamily(family, at: time)
                return .reused
            }
            // Rotation keeps a family alive only up to its absolute lifetime.
            guard time < record.familyStartedAt.addingTimeInterval(TimeInterval(configuration.refreshFamilyDays) * 86_400) else {
                try updates.revokeFamily(family, at: time)
                return .familyExpired
            }
            let next = issueRefresh(for: claims.userID, family: family, startedAt: record.familyStartedAt, at: time)
            try updates.markUsed(hash: hash, at: time)
            try updates.insert(next.record)
            return .rotated(next.token)
        }
        switch outcome {
        case .rotated(let refresh):
            return TokenPair(access: issueAccess(for: claims.userID, family: family, at: time), refresh: refresh)
        case .familyExpired:
            logger.info("refresh-token family past its lifetime; revoked", metadata: ["user": "\(claims.userID.apiString)", "family": "\(family.apiString)"])
            throw AccountError.loginExpired(days: configuration.refreshFamilyDays)
        case .reused:
            logger.warning("refresh token reused; family revoked", metadata: ["user": "\(claims.userID.apiString)", "family": "\(family.apiString)"])
            throw AccountError.invalidToken
        case .invalid:
            throw AccountError.invalidToken
        }
    }

    /// `userID`'s API log-ins that can still be refreshed (the account page lists them).
    func activeLogins(of userID: UUID) throws -> [RefreshTokenFamily] {
        try tokens.activeFamilies(of: userID, at: now())
    }

    /// Ends one of `userID`'s API log-ins: its refresh token and its access tokens stop working.
    /// False when it is not theirs or already ended.
    func endLogin(_ familyID: UUID, of userID: UUID) throws -> Bool {
        try tokens.revokeFamily(familyID, of: userID, at: now())
    }

    /// Log-out: revokes the family of `token`. An authentic refresh token is accepted even once
    /// expired (logging out must always work); revoking twice is not an error.
    func revoke(_ token: String?) throws {
        let claims = try refreshClaims(token, checkExpiry: false)
        _ = try tokens.revokeFamily(containing: Sodium.sha256Hex(claims.jti), at: now())
    }

    // MARK: - Issuing

    private func startFamily(for userID: UUID) throws -> TokenPair {
        let time = now()
        let family = UUID()
        let refresh = issueRefresh(for: userID, family: family, startedAt: time, at: time)
        try tokens.insert(refresh.record)
        return TokenPair(access: issueAccess(for: userID, family: family, at: time), refresh: refresh.token)
    }

    private func issueRefresh(for userID: UUID, family: UUID, startedAt: Date, at time: Date) -> (token: String, record: RefreshTokenRecord) {
        let claims = JWTClaims(
            tokenType: .refresh, userID: userID, issuedAt: time, lifetime: configuration.refreshTokenLifetime,
            family: family.apiString)
        let record = RefreshTokenRecord(
            tokenHash: Sodium.sha256Hex(claims.jti), userID: userID, familyID: family, familyStartedAt: startedAt,
            issuedAt: time, expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)))
        return (signer.sign(claims), record)
    }

    private func issueAccess(for userID: UUID, family: UUID, at time: Date) -> String {
        signer.sign(JWTClaims(tokenType: .access, userID: userID, issuedAt: time, lifetime: configuration.accessTokenLifetime, family: family.apiString))
    }

    private func refreshClaims(_ token: String?, checkExpiry: Bool) throws -> JWTClaims {
        guard let token else { throw AccountError.validation("refresh", AccountValidation.required) }
        guard !token.isEmpty else { throw AccountError.validation("refresh", AccountValidation.blank) }
        // `.distantPast` as "now" skips only the expiry check; signature and algorithm still hold.
        guard let claims = try? signer.verify(token, now: checkExpiry ? now() : .distantPast), claims.tokenType == .refresh else {
            throw AccountError.invalidToken
        }
        return claims
    }

    // MARK: - Housekeeping

    /// Stores a hash with the current parameters; best effort, since the log-in has succeeded.
    /// The new hash when it was stored.
    private func rehash(_ userID: UUID, _ password: String, old: String) -> String? {
        do {
            let newHash = try hasher.hash(password)
            if try accounts.replacePasswordHash(id: userID, oldHash: old, newHash: newHash) {
                logger.info("password rehashed", metadata: ["user": "\(userID.apiString)", "parameters": "\(hasher.parameters)"])
                return newHash
            }
        } catch {
            logger.warning("password rehash skipped", metadata: ["user": "\(userID.apiString)", "error": "\(logDescription(of: error))"])
        }
        return nil
    }

    private func purgeExpiredTokens() {
        do {
            let purged = try tokens.purgeExpired(before: now(), limit: 500)
            if purged > 0 { logger.debug("purged expired refresh tokens", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.warning("refresh token purge failed", metadata: ["error": "\(logDescription(of: error))"])
        }
    }
}
