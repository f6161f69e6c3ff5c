import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Server errors")
    struct ErrorTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
            try self.connection.execute("""
                CREATE TEMP TABLE parents (id int PRIMARY KEY);
                """)
            try self.connection.execute("""
                CREATE TEMP TABLE accounts (
                    email text UNIQUE NOT NULL,
                    age int CHECK (age >= 0),
                    parent int REFERENCES parents (id))
                """)
        }

        @Test("constraint violations carry their SQLSTATE and constraint, and no bind values")
        func constraintViolations() throws {
            let secret = "alice-secret@example.com"
            try self.connection.execute("INSERT INTO accounts (email) VALUES (\(secret))")

            let unique = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email) VALUES (\(secret))")
            }
            #expect(unique?.code == .uniqueViolation)
            #expect(unique?.constraintName == "accounts_email_key")
            #expect(unique?.tableName == "accounts")
            #expect(unique?.description.contains(secret) == false)
            #expect(unique?.detail?.contains(secret) == true)  // the detail keeps it, for debugging
            #expect(unique?.debugDescription.contains("INSERT INTO accounts") == true)
            #expect(unique?.isConnectionFailure == false)

            let notNull = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email) VALUES (\(String?.none))")
            }
            #expect(notNull?.code == .notNullViolation)
            #expect(notNull?.columnName == "email")

            let check = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email, age) VALUES (\("b@example.com"), \(-1))")
            }
            #expect(check?.code == .checkViolation)

            let foreignKey = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email, parent) VALUES (\("c@example.com"), \(Int32(99)))")
            }
            #expect(foreignKey?.code == .foreignKeyViolation)
        }

        @Test("logDescription: SQLSTATE, table, constraint and statement; no value, detail, message or SQL")
        func logDescription() throws {
            let secret = "bob-log-check@example.com"
            try self.connection.execute("INSERT INTO accounts (email) VALUES (\(secret))")
            let unique = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email, age) VALUES (\(secret), \(41))")
            }
            let text = unique?.logDescription ?? ""
            #expect(text.contains("SQLSTATE 23505"))
            #expect(text.contains("constraint=accounts_email_key"))
            #expect(text.contains("table=") && text.contains("accounts"))
            #expect(text.contains(#"statement="INSERT accounts""#))
            #expect(!text.contains(secret))
            #expect(!text.contains("bob-log-check"))
            #expect(!text.contains("already exists"))  // the detail line
            #expect(!text.contains("VALUES"))  // the SQL text

            // A value cast in the SQL itself (not a bind, so not redacted) stays out of it too.
            let literal = #expect(throws: PostgresError.self) {
                try self.connection.query(PostgresQuery(unsafeSQL: "SELECT 'carol-literal-value'::uuid"))
            }
            #expect(literal?.code == .invalidTextRepresentation)
            #expect(literal?.logDescription.contains("carol-literal-value") == false)
            #expect(literal?.logDescription.contains("statement=\"SELECT\"") == true)
        }

        @Test("statement summaries keep the command and its table only", arguments: [
            ("INSERT INTO users (email) VALUES ($1)", "INSERT users"),
            ("  UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2", "UPDATE refresh_tokens"),
            ("DELETE FROM web_sessions WHERE user_id = $1", "DELETE web_sessions"),
            ("SELECT m.id FROM messages m WHERE m.body = 'x FROM secret'", "SELECT messages"),
            ("SELECT 'a FROM b'", "SELECT"),
            ("-- comment\nWITH x AS (SELECT 1) SELECT * FROM x", "WITH"),
            ("'just a literal'", nil),
        ])
        func statementSummary(_ sql: String, _ expected: String?) {
            #expect(PostgresError.statementSummary(sql) == expected)
        }

        @Test("a bind the server quotes back is redacted from the description")
        func redactsQuotedBinds() throws {
            let secret = "my-password-123"
            let error = #expect(throws: PostgresError.self) {
                try self.connection.query("SELECT \(secret)::int")
            }
            #expect(error?.code == .invalidTextRepresentation)
            #expect(error?.description.contains(secret) == false)
            #expect(error?.serverMessage?.contains("redacted") == true)
        }

        @Test("undefined table and syntax errors")
        func undefinedAndSyntax() throws {
            let table = TestEnvironment.uniqueName("missing")
            let undefined = #expect(throws: PostgresError.self) { try self.connection.query("SELECT * FROM \(identifier: table)") }
            #expect(undefined?.code == .undefinedTable)
            #expect(undefined?.kind == .server)
            let syntax = #expect(throws: PostgresError.self) { try self.connection.query("SELEC 1") }
            #expect(syntax?.code == .syntaxError)
            #expect(syntax?.position == 1)
            // The connection stays usable.
            #expect(try self.connection.query("SELECT 1").count == 1)
        }

        @Test("NUL in text is rejected with a clear error and nothing is sent")
        func nulRejected() throws {
            let error = #expect(throws: PostgresError.self) {
                try self.connection.execute("INSERT INTO accounts (email) VALUES (\("nul\u{0}byte"))")
            }
            #expect(error?.kind == .encoding)
            #expect(error?.description.contains("NUL") == true)
            #expect(try self.connection.query("SELECT count(*) FROM accounts").first!.decode(Int.self) == 0)
        }

        @Test("injection strings are stored as data")
        func injectionIsData() throws {
            let attacks = ["x'); DROP TABLE accounts; --", "' OR '1'='1", "\\'; SELECT pg_sleep(10); --", "$1"]
            for attack in attacks {
                try self.connection.execute("INSERT INTO accounts (email) VALUES (\(attack))")
            }
            let stored = try self.connection.query("SELECT email FROM accounts").map { try $0.decode(String.self) }
            #expect(Set(stored) == Set(attacks))
            #expect(try self.connection.query("SELECT count(*) FROM accounts WHERE email = \(attacks[1])").first!.decode(Int.self) == 1)
        }
    }
}
