import Postgres

/// ``UserImportRepository`` on PostgreSQL. Every check mirrors the API's rule for the same
/// field (``AccountValidation``): lengths, blanks, the e-mail shape, roles, and uniqueness
/// of username and email compared with `lower()`, as the unique indexes compare them.
struct PostgresUserImportRepository: UserImportRepository {
    let connection: PostgresConnection

    static let columns = ["line", "username", "email", "first_name", "last_name", "role", "password_hash"]

    func createStaging() throws {
        try connection.execute("""
            CREATE TEMPORARY TABLE import_users (
                line          integer NOT NULL,
                username      text NOT NULL,
                email         text NOT NULL,
                first_name    text NOT NULL,
                last_name     text NOT NULL,
                role          text,
                password_hash text
            ) ON COMMIT DROP
            """)
    }

    func load(_ body: (_ append: (StagingRow) throws -> Void) throws -> Void) throws -> Int {
        let count = try connection.copyFrom(table: "import_users", columns: Self.columns) { copy in
            try body { row in
                try copy.appendRow(
                    Int32(clamping: row.line), row.username, row.email, row.firstName, row.lastName, row.role, row.passwordHash)
            }
        }
        // The checks join the staging table with users: give the planner its real size.
        try connection.execute("ANALYZE import_users")
        return count
    }

    /// An address as ``AccountValidation/email`` accepts it: an unquoted ASCII local part of at
    /// most 64 bytes, without leading, trailing or doubled dots; then `localhost`, or a domain of
    /// two or more labels of letters, digits and inner hyphens (any non-ASCII character counts as
    /// a letter here), at most 63 characters each, the last of two or more and not all digits.
    /// Split into simple expressions: one regular expression with the whole rule was the import's
    /// largest cost per row (bench/README.md, "Bulk data").
    static let emailShape = #"""
        (email ~ '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@[^@]+$'
         AND octet_length(split_part(email, '@', 1)) <= 64
         AND (domain = 'localhost'
              OR (domain ~ '^([^\x01-\x2c./:-@[-`{-\x7f]+\.)+[^\x01-\x2c./:-@[-`{-\x7f]+$'
                  AND domain !~ '(^|\.)-|-(\.|$)|[^.]{64}'
                  AND octet_length(domain) <= 253
                  AND char_length(regexp_replace(domain, '^.*\.', '')) >= 2
                  AND regexp_replace(domain, '^.*\.', '') !~ '^[0-9]+$')))
        """#

    func problems(policy: ImportConflictPolicy, limit: Int) throws -> (problems: [ImportProblem], count: Int) {
        let blank = AccountValidation.blank
        let long150 = AccountValidation.tooLong(150)
        let long254 = AccountValidation.tooLong(254)
        let rows = try connection.query("""
            WITH s AS (
                SELECT line, username, email, first_name, last_name, role,
                       min(line) OVER (PARTITION BY lower(username)) AS username_first,
                       min(line) OVER (PARTITION BY lower(email)) AS email_first,
                       substr(email, strpos(email, '@') + 1) AS domain
                FROM import_users
            ), problems (line, field, message) AS (
                SELECT line, 'username', \(blank) FROM s WHERE username = ''
                UNION ALL SELECT line, 'username', \(long150) FROM s WHERE char_length(username) > 150
                UNION ALL SELECT line, 'username', 'The username of line ' || username_first || ' again (usernames are compared ignoring case).'
                    FROM s WHERE line <> username_first AND username <> ''
                UNION ALL SELECT line, 'email', \(blank) FROM s WHERE email = ''
                UNION ALL SELECT line, 'email', \(long254) FROM s WHERE char_length(email) > 254
                UNION ALL SELECT line, 'email', \(AccountValidation.invalidEmail)
                    FROM s WHERE email <> '' AND char_length(email) <= 254 AND NOT \(unsafeRaw: Self.emailShape)
                UNION ALL SELECT line, 'email', 'The email of line ' || email_first || ' again (emails are compared ignoring case).'
                    FROM s WHERE line <> email_first AND email <> ''
                UNION ALL SELECT line, 'first_name', \(blank) FROM s WHERE first_name = ''
                UNION ALL SELECT line, 'first_name', \(long150) FROM s WHERE char_length(first_name) > 150
                UNION ALL SELECT line, 'last_name', \(long150) FROM s WHERE char_length(last_name) > 150
                UNION ALL SELECT line, 'role', '"' || role || '" is not a valid choice: use guest, host or admin.'
                    FROM s WHERE role NOT IN ('guest', 'host', 'admin')
                UNION ALL SELECT s.line, 'username', \(AccountValidation.duplicateUsername)
                    FROM s JOIN users u ON lower(u.username) = lower(s.username) WHERE \(policy.rawValue) = 'fail'
                UNION ALL SELECT s.line, 'email', \(AccountValidation.duplicateEmail)
                    FROM s JOIN users u ON lower(u.email) = lower(s.email)
                    WHERE \(policy.rawValue) = 'fail'
                       OR (lower(u.username) <> lower(s.username)
                           AND (\(policy.rawValue) = 'update'
                                OR NOT EXISTS (SELECT 1 FROM users e WHERE lower(e.username) = lower(s.username))))
            )
            SELECT line, field, message, count(*) OVER ()::bigint AS total
            FROM problems ORDER BY line, field, message LIMIT \(limit)
            """)
        var total = 0
        var problems: [ImportProblem] = []
        for row in rows {
            let (line, field, message, count) = try row.decode((Int32, String, String, Int64).self)
            problems.append(ImportProblem(line: Int(line), field: field, message: message))
            total = Int(count)
        }
        return (problems, total)
    }

    func plan() throws -> (new: Int, existing: Int) {
        let row = try connection.query("""
            SELECT count(*) FILTER (WHERE u.user_id IS NULL), count(*) FILTER (WHERE u.user_id IS NOT NULL)
            FROM import_users s LEFT JOIN users u ON lower(u.username) = lower(s.username)
            """)[0]
        let (new, existing) = try row.decode((Int64, Int64).self)
        return (Int(new), Int(existing))
    }

    func apply(policy: ImportConflictPolicy) throws -> (created: Int, updated: Int) {
        var updated = 0
        if policy == .update {
            // A new password ends the account's sessions and API log-ins, as `parley
            // set-password` does.
            updated = try connection.query("""
                WITH changed AS (
                    UPDATE users u
                       SET email = s.email, first_name = s.first_name, last_name = s.last_name,
                           role = coalesce(s.role, u.role), password_hash = coalesce(s.password_hash, u.password_hash)
                      FROM import_users s
                     WHERE lower(u.username) = lower(s.username)
                    RETURNING u.user_id, s.password_hash IS NOT NULL AS new_password
                ), ended AS (
                    DELETE FROM web_sessions w USING changed c WHERE w.user_id = c.user_id AND c.new_password
                ), revoked AS (
                    UPDATE refresh_tokens t SET revoked_at = now()
                      FROM changed c WHERE t.user_id = c.user_id AND c.new_password AND t.revoked_at IS NULL
                )
                SELECT count(*) FROM changed
                """)[0].decode(Int.self)
        }
        // '!' is no argon2 hash, so no password matches it (Django's unusable password):
        // `parley set-password` gives the account one.
        let created = try connection.execute("""
            INSERT INTO users (username, email, first_name, last_name, role, password_hash)
            SELECT s.username, s.email, s.first_name, s.last_name, coalesce(s.role, 'guest'), coalesce(s.password_hash, '!')
            FROM import_users s
            WHERE NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = lower(s.username))
            ORDER BY s.line
            """)
        return (created, updated)
    }
}
