import FoundationEssentials

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
