import Foundation

/// One issued refresh token, as stored: the SHA-256 (hex) of its jti, never the token.
struct RefreshTokenRecord: Sendable, Equatable {
    var tokenHash: String
    var userID: UUID
    var familyID: UUID
    /// When the family's first token was issued (its log-in).
    var familyStartedAt: Date
    var issuedAt: Date
    var expiresAt: Date
    var usedAt: Date?
    var revokedAt: Date?

    init(tokenHash: String, userID: UUID, familyID: UUID, familyStartedAt: Date, issuedAt: Date, expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.familyID = familyID
        self.familyStartedAt = familyStartedAt
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }
}

/// Where refresh tokens are kept. Rotation happens inside ``withLockedToken(hash:_:)``: the
/// service decides (rotate, or revoke the family on reuse) while the token's row is locked, and
/// everything it writes through the ``RefreshTokenUpdates`` commits together.
protocol RefreshTokenRepository {
    func insert(_ token: RefreshTokenRecord) throws
    /// Locks the token's row (nil when unknown) for the length of `body`, in one transaction.
    /// `body` may run again if the database asks for a retry, so it must only decide and write.
    func withLockedToken<T>(hash: String, _ body: (RefreshTokenRecord?, RefreshTokenUpdates) throws -> T) throws -> T
    /// Revokes every token of the family `hash` belongs to; false when `hash` is unknown.
    func revokeFamily(containing hash: String, at time: Date) throws -> Bool
    /// `userID`'s families that still have a live token at `time` (unused, unrevoked, unexpired),
    /// most recently used first.
    func activeFamilies(of userID: UUID, at time: Date) throws -> [RefreshTokenFamily]
    /// Revokes `familyID` if it is `userID`'s; false when it is not theirs or already revoked.
    func revokeFamily(_ familyID: UUID, of userID: UUID, at time: Date) throws -> Bool
    /// Deletes tokens that expired before `cutoff` (up to `limit` of them); returns how many.
    func purgeExpired(before cutoff: Date, limit: Int) throws -> Int
}

/// The writes allowed while a token is locked.
protocol RefreshTokenUpdates {
    func markUsed(hash: String, at time: Date) throws
    func revokeFamily(_ familyID: UUID, at time: Date) throws
    func insert(_ token: RefreshTokenRecord) throws
}

/// One API log-in as the account page lists it.
struct RefreshTokenFamily: Sendable, Equatable {
    var familyID: UUID
    var startedAt: Date
    /// When its live token was issued: the log-in, or the latest refresh.
    var lastUsedAt: Date
}
