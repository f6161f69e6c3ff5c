import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// A password change is one transaction: the new hash, the user's sessions ended and their
/// refresh-token families revoked, or none of it.
@Suite("Password change in one transaction", .enabled(if: TestEnvironment.runsIntegration))
struct PasswordChangeTransactionTests {
    /// A user signed up on `laptop`, logged in on `phone` and twice through the API.
    func setUp(_ h: APIHarness) throws -> (name: String, id: UUID, laptop: PageBrowser, phone: PageBrowser, api: [(access: String, refresh: String)]) {
        let name = uniqueName("pwtx")
        let laptop = PageBrowser(h)
        try laptop.signUp(name)
        let phone = PageBrowser(h)
        try phone.logIn(name)
        let api = [try h.login(name), try h.login(name)]
        return (name, try h.userID(name), laptop, phone, api)
    }

    func state(_ h: APIHarness, _ id: UUID) throws -> (hash: String, sessions: Int, liveTokens: Int) {
        try h.database.read { connection in
            (try connection.query("SELECT password_hash FROM users WHERE user_id = \(id)").first!.decode(String.self),
             try connection.query("SELECT count(*)::int FROM web_sessions WHERE user_id = \(id)").first!.decode(Int.self),
             try connection.query("SELECT count(*)::int FROM refresh_tokens WHERE user_id = \(id) AND revoked_at IS NULL").first!.decode(Int.self))
        }
    }

    func changePassword(_ browser: PageBrowser) throws -> TestResponse {
        _ = try browser.get("/account")
        return try browser.post("/account/password", [
            ("current_password", "correct horse battery"), ("new_password", "a brand new secret"),
            ("new_password_confirmation", "a brand new secret"),
        ])
    }

    @Test("after a change the other sessions and every refresh token are gone, in the database")
    func success() throws {
        let h = try APIHarness.pages()
        let user = try setUp(h)
        let before = try state(h, user.id)
        #expect(before.sessions == 2)
        #expect(before.liveTokens == 2)

        let changed = try changePassword(user.laptop)
        #expect(changed.status == 303)
        let after = try state(h, user.id)
        #expect(after.hash != before.hash)
        #expect(after.sessions == 1, "only the new session of the browser that changed it")
        #expect(after.liveTokens == 0)
        #expect(try user.phone.get("/inbox").status == 303)
        for pair in user.api {
            #expect(try h.request(.post, "/api/token/refresh/", json: ["refresh": pair.refresh]).status == 401)
        }
    }

    /// A step of the change fails after the password row was updated (a trigger this test puts
    /// on the table of that step, raising for this user only, dropped afterwards).
    @Test("a failure mid-way leaves the old password, sessions and tokens intact", arguments: [
        ("web_sessions", "DELETE"),  // the second step
        ("refresh_tokens", "UPDATE"),  // the third, after the sessions were deleted
    ])
    func failureMidway(table: String, event: String) throws {
        let h = try APIHarness.pages()
        let user = try setUp(h)
        let before = try state(h, user.id)

        let name = "test_fail_" + UUID().uuidString.prefix(8).lowercased()
        try h.database.write { connection in
            try connection.execute(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'injected failure'; END $$
                """))
            try connection.execute(PostgresQuery(unsafeSQL: """
                CREATE TRIGGER \(name) BEFORE \(event) ON \(table) FOR EACH ROW
                WHEN (OLD.user_id = '\(user.id.uuidString.lowercased())') EXECUTE FUNCTION \(name)()
                """))
        }
        let failed: TestResponse
        do {
            defer {
                _ = try? h.database.write { connection in
                    try connection.execute(PostgresQuery(unsafeSQL: "DROP TRIGGER IF EXISTS \(name) ON \(table)"))
                    try connection.execute(PostgresQuery(unsafeSQL: "DROP FUNCTION IF EXISTS \(name)()"))
                }
            }
            failed = try changePassword(user.laptop)
        }
        #expect(failed.status == 500)

        let after = try state(h, user.id)
        #expect(after.hash == before.hash, "the new password was kept")
        #expect(after.sessions == before.sessions)
        #expect(after.liveTokens == before.liveTokens)
        #expect(try user.phone.get("/inbox").status == 200, "the other session still works")
        #expect(try h.request(.get, "/api/users/me/", token: user.api[0].access).status == 200)
        #expect(try h.request(.post, "/api/token/refresh/", json: ["refresh": user.api[1].refresh]).status == 200)
        #expect(try PageBrowser(h).logIn(user.name).status == 303, "the old password still logs in")
        #expect(try PageBrowser(h).logIn(user.name, password: "a brand new secret").status == 200, "the new one does not")
    }
}
