import Foundation
import Postgres

/// A store that finds accounts by exact username (case-insensitive) in one statement.
protocol UsernameDirectory {
    func accounts(usernames: [String]) throws -> [Account]
}

extension AccountService {
    /// The accounts whose usernames are among `usernames` (case-insensitive, exact: no
    /// substring, no email), and the names that match nobody, in the order given.
    func accounts(named usernames: [String]) throws -> (found: [Account], unknown: [String]) {
        var wanted: [String] = []
        for name in usernames where !wanted.contains(where: { $0.lowercased() == name.lowercased() }) { wanted.append(name) }
        guard !wanted.isEmpty else { return ([], []) }
        let found: [Account]
        if let directory = accounts as? any UsernameDirectory {
            found = try directory.accounts(usernames: wanted)
        } else {
            found = try wanted.flatMap { name in
                try accounts.search(terms: [name], page: PageRequest(size: 100)).items.filter { $0.username.lowercased() == name.lowercased() }
            }
        }
        let unknown = wanted.filter { name in !found.contains { $0.username.lowercased() == name.lowercased() } }
        return (found, unknown)
    }
}

extension PostgresAccountRepository: UsernameDirectory {
    func accounts(usernames: [String]) throws -> [Account] {
        let lowered = usernames.map { $0.lowercased() }
        return try database.read { connection in
            // `lower(username) = ANY(…)` uses users_username_lower_key.
            try connection.query("""
                SELECT user_id, username, email, first_name, last_name, phone_number, role, created_at
                FROM users WHERE lower(username) = ANY(\(lowered))
                """).map { row in
                let (id, username, email, firstName, lastName, phone, role, createdAt) =
                    try row.decode((UUID, String, String, String, String, String?, String, Date).self)
                return Account(
                    id: id, username: username, email: email, firstName: firstName, lastName: lastName,
                    phoneNumber: phone, role: Role(rawValue: role) ?? .guest, createdAt: createdAt)
            }
        }
    }
}
