import Foundation

extension AccountService {
    /// Stores `newPassword` for `userID`, whose current password the caller has just verified
    /// (``TokenService/confirmPassword(of:password:clientAddress:)`` returned `currentHash`).
    /// The new password follows registration's rules; `confirmation`, when given, must match.
    /// In the same transaction, every session of the user ends and every API refresh-token
    /// family is revoked (`store`); the caller then starts a new session for this browser.
    func changePassword(
        of userID: UUID, currentHash: String, newPassword: String?, confirmation: String?,
        store: any PasswordChangeRepository, at time: Date = Date()
    ) throws {
        var check = AccountValidation(passwordMinimumLength: configuration.passwordMinimumLength, maxPasswordBytes: configuration.maxPasswordBytes)
        let password = check.password(newPassword, field: "new_password")
        if let password, let confirmation, !password.utf8.elementsEqual(confirmation.utf8) {
            check.fail("new_password_confirmation", "The two password fields didn’t match.")
        }
        guard check.errors.isEmpty, let password else { throw AccountError.validation(check.errors) }
        let newHash = try Self.hashing { try hasher.hash(password) }
        guard let change = try store.replacePassword(of: userID, oldHash: currentHash, newHash: newHash, at: time) else {
            // Changed (or the account deleted) since the check: refuse rather than overwrite.
            throw AccountError.validation("current_password", "Your password was changed meanwhile. Log in again and retry.")
        }
        logger.notice("password changed", metadata: [
            "user": "\(userID.apiString)", "sessions_ended": "\(change.endedSessions)",
            "token_families_revoked": "\(change.revokedTokenFamilies)",
        ])
    }
}
