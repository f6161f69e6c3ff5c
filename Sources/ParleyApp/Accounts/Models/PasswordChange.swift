/// What a password change ended.
struct PasswordChange: Equatable {
    var endedSessions: Int
    var revokedTokenFamilies: Int
}
