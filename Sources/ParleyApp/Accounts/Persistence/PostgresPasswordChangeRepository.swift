import FoundationEssentials
import Postgres

/// `users`, `web_sessions` and `refresh_tokens` in one PostgreSQL transaction.
struct PostgresPasswordChangeRepository: PasswordChangeRepository {
    let database: PostgresDatabase

    func replacePassword(of userID: UUID, oldHash: String, newHash: String, at time: Date) throws -> PasswordChange? {
        try database.transaction { connection in
            // The row lock taken here also orders this change against a concurrent one.
            guard try connection.execute("""
                UPDATE users SET password_hash = \(newHash) WHERE user_id = \(userID) AND password_hash = \(oldHash)
                """) == 1 else { return nil }
            let sessions = try connection.execute("DELETE FROM web_sessions WHERE user_id = \(userID)")
            let families = try connection.query("""
                UPDATE refresh_tokens SET revoked_at = \(time)
                WHERE user_id = \(userID) AND revoked_at IS NULL
                RETURNING family_id
                """).decode(UUID.self).reduce(into: Set<UUID>()) { $0.insert($1) }
            return PasswordChange(endedSessions: sessions, revokedTokenFamilies: families.count)
        }
    }
}
