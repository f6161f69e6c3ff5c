import Foundation
import Postgres

/// The one query authentication needs on every request: the user behind a token.
struct UserLookup {
    let database: PostgresDatabase

    /// The user with `id`; nil when there is none, or when `family` (an access token's refresh
    /// family) has been revoked by log-out or reuse detection.
    func authenticatedUser(id: UUID, family: UUID? = nil) throws -> AuthenticatedUser? {
        try database.read { connection in
            let rows = try connection.query("""
                SELECT user_id, username, role FROM users
                WHERE user_id = \(id)
                  AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = \(family) AND revoked_at IS NOT NULL)
                """)
            guard let row = rows.first else { return nil }
            let (id, username, role) = try row.decode((UUID, String, String).self)
            return AuthenticatedUser(id: id, username: username, role: Role(rawValue: role) ?? .guest)
        }
    }
}
