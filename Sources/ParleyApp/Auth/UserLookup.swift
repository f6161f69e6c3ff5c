import Foundation
import Postgres

/// The one query authentication needs on every request: the user behind a token.
struct UserLookup {
    let database: PostgresDatabase

    func authenticatedUser(id: UUID) throws -> AuthenticatedUser? {
        try database.read { connection in
            let rows = try connection.query("SELECT user_id, username, role FROM users WHERE user_id = \(id)")
            guard let row = rows.first else { return nil }
            let (id, username, role) = try row.decode((UUID, String, String).self)
            return AuthenticatedUser(id: id, username: username, role: Role(rawValue: role) ?? .guest)
        }
    }
}
