import FoundationEssentials

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
