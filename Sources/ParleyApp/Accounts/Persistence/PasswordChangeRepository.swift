import FoundationEssentials

/// A password change as one unit: the new hash, the end of every browser session of the user
/// and the revocation of every API refresh-token family of theirs. Done apart, a failure between
/// the steps could leave sessions opened with the old password alive under the new one.
protocol PasswordChangeRepository {
    /// Stores `newHash` if the stored hash is still `oldHash`, deletes every session of `userID`
    /// and revokes every live refresh token of theirs (as of `time`), all or nothing. Nil when
    /// the hash had changed meanwhile (or the account is gone): then nothing is done.
    func replacePassword(of userID: UUID, oldHash: String, newHash: String, at time: Date) throws -> PasswordChange?
}
