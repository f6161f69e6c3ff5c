import FoundationEssentials
import Postgres

/// Accounts in the `users` table (migrations 0001 and 0004).
struct PostgresAccountRepository: AccountRepository {
    let database: PostgresDatabase

    func create(_ account: NewAccount) throws -> Account {
        try mappingDuplicates {
            try database.write { connection in
                try connection.query("""
                    INSERT INTO users (username, email, first_name, last_name, phone_number, password_hash, role)
                    VALUES (\(account.username), \(account.email), \(account.firstName), \(account.lastName),
                            \(account.phoneNumber), \(account.passwordHash), \(account.role.rawValue))
                    RETURNING \(unsafeRaw: AccountRow.columns)
                    """).decode(AccountRow.self)[0].account
            }
        }
    }

    func find(id: UUID) throws -> Account? {
        try database.read { connection in
            try connection.query("""
                SELECT \(unsafeRaw: AccountRow.columns)
                FROM users WHERE user_id = \(id)
                """).decode(AccountRow.self).first?.account
        }
    }

    func deferAuthenticatedUser(id: UUID, family: UUID?, verdict: @escaping (AuthenticatedUser?) throws -> Void) {
        database.setPrecondition(PostgresPrecondition(query: Self.authenticationQuery(id: id, family: family)) { rows in
            try verdict(try Self.authenticatedUser(rows))
        })
    }

    func settleDeferredCheck() throws {
        try database.settlePrecondition()
    }

    func dropDeferredCheck() {
        database.setPrecondition(nil)
    }

    private static func authenticationQuery(id: UUID, family: UUID?) -> PostgresQuery {
        """
        SELECT user_id, username, role FROM users
        WHERE user_id = \(id)
          AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = \(family) AND revoked_at IS NOT NULL)
        """
    }

    private static func authenticatedUser(_ rows: PostgresRows) throws -> AuthenticatedUser? {
        guard let row = rows.first else { return nil }
        let (id, username, role) = try row.decode((UUID, String, String).self)
        return AuthenticatedUser(id: id, username: username, role: Role(rawValue: role) ?? .guest)
    }

    func credentials(login identifier: String, emailOnly: Bool) throws -> AccountCredentials? {
        try database.read { connection in
            // Both arms use the unique indexes on lower(username) and lower(email); a username
            // match wins over another account's email.
            let rows = try connection.query("""
                SELECT \(unsafeRaw: AccountRow.columns), password_hash
                FROM users
                WHERE (NOT \(emailOnly) AND lower(username) = lower(\(identifier))) OR lower(email) = lower(\(identifier))
                ORDER BY lower(username) = lower(\(identifier)) DESC
                LIMIT 1
                """)
            guard let row = rows.first else { return nil }
            return AccountCredentials(account: try row.decode(AccountRow.self).account, passwordHash: try row.decode(String.self, column: "password_hash"))
        }
    }

    func update(id: UUID, _ changes: AccountChanges) throws -> Account? {
        // COALESCE keeps a column when its change is absent; the phone number is nullable, so
        // whether to set it travels as its own flag.
        let setsPhone = changes.phoneNumber != nil
        let phone = changes.phoneNumber ?? nil
        return try mappingDuplicates {
            try database.write { connection in
                try connection.query("""
                    UPDATE users SET
                        username = COALESCE(\(changes.username), username),
                        email = COALESCE(\(changes.email), email),
                        first_name = COALESCE(\(changes.firstName), first_name),
                        last_name = COALESCE(\(changes.lastName), last_name),
                        phone_number = CASE WHEN \(setsPhone) THEN \(phone) ELSE phone_number END
                    WHERE user_id = \(id)
                    RETURNING \(unsafeRaw: AccountRow.columns)
                    """).decode(AccountRow.self).first?.account
            }
        }
    }

    func replacePasswordHash(id: UUID, oldHash: String, newHash: String) throws -> Bool {
        try database.write { connection in
            try connection.execute("""
                UPDATE users SET password_hash = \(newHash) WHERE user_id = \(id) AND password_hash = \(oldHash)
                """) == 1
        }
    }

    func setRole(id: UUID, role: Role) throws -> Account? {
        try database.write { connection in
            try connection.query("""
                UPDATE users SET role = \(role.rawValue) WHERE user_id = \(id)
                RETURNING \(unsafeRaw: AccountRow.columns)
                """).decode(AccountRow.self).first?.account
        }
    }

    func delete(id: UUID) throws -> Bool {
        // One statement, so one transaction: the user row and, through ON DELETE CASCADE, its
        // refresh tokens, memberships, messages and notifications go together or not at all.
        try database.write { connection in
            try connection.execute("DELETE FROM users WHERE user_id = \(id)") == 1
        }
    }

    func search(terms: [String], page: PageRequest) throws -> Page<Account> {
        let patterns = terms.prefix(3).map { "%" + Self.escapeLike($0) + "%" }
        return try database.read { connection in
            // Count and page are two statements on purpose: with `count(*) OVER ()` in the page
            // query, PostgreSQL 15 costs the window as if LIMIT stopped it early and walks the
            // whole username index (timings: docs/decisions/0002-lists-over-large-tables.md).
            let total: Int
            let rows: PostgresRows
            if let first = patterns.first {
                // The first (longest, most selective) term drives users_search_trgm_idx; the rest
                // filter. `lower(…)` must be the index's expression. LIKE's escape character is
                // the backslash, which escapeLike doubles in the terms.
                let rest = Array(patterns.dropFirst())
                total = try connection.query("""
                    SELECT count(*) FROM users
                    WHERE lower(username || ' ' || first_name || ' ' || last_name) LIKE lower(\(first))
                      AND lower(username || ' ' || first_name || ' ' || last_name) LIKE ALL (SELECT lower(p) FROM unnest(\(rest)::text[]) AS p)
                    """).first!.decode(Int.self)
                rows = try connection.query("""
                    SELECT \(unsafeRaw: AccountRow.columns)
                    FROM users
                    WHERE lower(username || ' ' || first_name || ' ' || last_name) LIKE lower(\(first))
                      AND lower(username || ' ' || first_name || ' ' || last_name) LIKE ALL (SELECT lower(p) FROM unnest(\(rest)::text[]) AS p)
                    ORDER BY lower(username), user_id LIMIT \(page.size) OFFSET \(page.offset)
                    """)
            } else {
                total = try connection.query("SELECT count(*) FROM users").first!.decode(Int.self)
                rows = try connection.query("""
                    SELECT \(unsafeRaw: AccountRow.columns)
                    FROM users ORDER BY lower(username), user_id LIMIT \(page.size) OFFSET \(page.offset)
                    """)
            }
            return Page(items: try rows.decode(AccountRow.self).map(\.account), total: total, request: page)
        }
    }

    /// `50%_off\` → `50\%\_off\\`: the term matches itself, not a pattern.
    static func escapeLike(_ term: String) -> String {
        var escaped = ""
        for character in term {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    private func mappingDuplicates<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.code == .uniqueViolation {
            switch error.constraintName {
            case "users_username_lower_key": throw DuplicateAccountError(field: .username)
            case "users_email_lower_key": throw DuplicateAccountError(field: .email)
            default: throw error
            }
        }
    }
}
