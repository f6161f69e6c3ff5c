import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// What the operator's log says about a database error the application did not expect: the
/// SQLSTATE, the constraint and the statement, never the row values PostgreSQL quotes in its
/// detail line (`Key (…)=(ada@…) already exists`).
@Suite("No row data in logs", .enabled(if: TestEnvironment.runsIntegration))
struct ErrorLoggingTests {
    @Test("an unexpected unique violation at sign-up is logged without the e-mail", arguments: ["/api/register/", "/signup"])
    func uniqueViolationAtSignUp(path: String) throws {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let index = "test_leak_\(tag)"
        let domain = "leak-\(tag).example"
        let capture = LogCapture()
        let harness = try APIHarness(logger: capture.logger)
        // A unique index the application knows nothing about (so its violation is not turned
        // into a 400), on the address without its "+tag": ada+1@… and ada+2@… collide, and
        // PostgreSQL's detail line quotes "ada@leak-….example".
        // (On a connection of its own, so that its SQL text, which names the domain, is not in the log.)
        let setup = PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: Logger(label: "setup") { _ in SwiftLogNoOpLogHandler() })
        try setup.write { connection in
            try connection.execute(PostgresQuery(unsafeSQL: """
                CREATE UNIQUE INDEX \(index) ON users (regexp_replace(lower(email), '[+][^@]*@', '@'))
                WHERE email LIKE '%@\(domain)'
                """))
        }
        defer { _ = try? setup.write { try $0.execute(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \(index)")) } }

        func register(_ n: Int) throws -> TestResponse {
            let username = "leak\(n)_\(tag)"
            let email = "ada+\(n)@\(domain)"
            if path.hasPrefix("/api/") {
                return try harness.request(.post, path, json: [
                    "username": username, "email": email, "password": "correct horse battery",
                    "first_name": "Ada", "last_name": "Lovelace",
                ])
            }
            let browser = PageBrowser(harness)
            _ = try browser.get("/signup")
            return try browser.post("/signup", [
                ("username", username), ("email", email), ("password", "correct horse battery"),
                ("password_confirmation", "correct horse battery"), ("first_name", "Ada"), ("last_name", "Lovelace"),
            ])
        }
        let first = try register(1)
        #expect(first.status == 201 || first.status == 303, "\(first.status) \(first.text)")
        let second = try register(2)
        #expect(second.status == 500)

        let log = capture.text
        #expect(log.contains("internal error"))
        #expect(log.contains("SQLSTATE 23505"))
        #expect(log.contains("constraint=\(index)"))
        #expect(!log.contains(domain), "the e-mail address reached the log:\n\(log)")
        #expect(!log.contains("ada+"))
        #expect(!log.contains("already exists"))
        #expect(!second.text.contains(domain))
    }
}
