import FoundationEssentials
import Postgres

extension PostgresAccountRepository {
    func accounts(usernames: [String]) throws -> [Account] {
        let lowered = usernames.map { $0.lowercased() }
        return try database.read { connection in
            // `lower(username) = ANY(…)` uses users_username_lower_key.
            try connection.query("""
                SELECT \(unsafeRaw: AccountRow.columns)
                FROM users WHERE lower(username) = ANY(\(lowered))
                """).decode(AccountRow.self).map(\.account)
        }
    }
}
