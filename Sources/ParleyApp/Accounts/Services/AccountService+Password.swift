import FoundationEssentials

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
        guard let account = try accounts.find(id: userID) else { throw AccountError.notFound }
        var check = validation
        let password = check.password(newPassword, field: "new_password", attributes: PasswordPolicy.Attributes(account))
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

extension AccountService {
    /// An operator's password reset (`parley set-password`): no current password is asked for,
    /// but the new one meets the same rules, and every session and API log-in of the account
    /// ends with the change, as after a user's own change.
    func setPassword(username: String, to newPassword: String, store: any PasswordChangeRepository, at time: Date = Date()) throws -> Account {
        guard let credentials = try accounts.credentials(login: username, emailOnly: false),
              credentials.account.username.lowercased() == username.lowercased()
        else { throw AccountError.notFound }
        var check = validation
        guard let password = check.password(newPassword, attributes: PasswordPolicy.Attributes(credentials.account)) else {
            throw AccountError.validation(check.errors)
        }
        let newHash = try Self.hashing { try hasher.hash(password) }
        guard let change = try store.replacePassword(of: credentials.account.id, oldHash: credentials.passwordHash, newHash: newHash, at: time) else {
            throw AccountError.validation("password", "The password was changed meanwhile; run the command again.")
        }
        logger.notice("password set by an operator", metadata: [
            "user": "\(credentials.account.id.apiString)", "sessions_ended": "\(change.endedSessions)",
            "token_families_revoked": "\(change.revokedTokenFamilies)",
        ])
        return credentials.account
    }
}
