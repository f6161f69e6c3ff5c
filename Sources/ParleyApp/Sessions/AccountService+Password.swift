import Foundation

extension AccountService {
    /// Stores `newPassword` for `userID`, whose current password the caller has just verified
    /// (``TokenService/confirmPassword(of:password:clientAddress:)`` returned `currentHash`).
    /// The new password follows registration's rules; `confirmation`, when given, must match.
    /// Ending the user's other sessions and API tokens is the caller's next step.
    func changePassword(of userID: UUID, currentHash: String, newPassword: String?, confirmation: String?) throws {
        var check = AccountValidation(passwordMinimumLength: configuration.passwordMinimumLength, maxPasswordBytes: configuration.maxPasswordBytes)
        let password = check.password(newPassword, field: "new_password")
        if let password, let confirmation, !password.utf8.elementsEqual(confirmation.utf8) {
            check.fail("new_password_confirmation", "The two password fields didn’t match.")
        }
        guard check.errors.isEmpty, let password else { throw AccountError.validation(check.errors) }
        let newHash = try Self.hashing { try hasher.hash(password) }
        guard try accounts.replacePasswordHash(id: userID, oldHash: currentHash, newHash: newHash) else {
            // Changed (or the account deleted) since the check: refuse rather than overwrite.
            throw AccountError.validation("current_password", "Your password was changed meanwhile. Log in again and retry.")
        }
        logger.notice("password changed", metadata: ["user": "\(userID.apiString)"])
    }
}
