import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing
import Web

/// A refresh-token family (the chain of rotations from one log-in) ends after
/// `PARLEY_REFRESH_FAMILY_DAYS`, however often it is refreshed; the account page lists the
/// live ones and ends any of them.
@Suite("Tokens: refresh-token families end", .enabled(if: TestEnvironment.runsIntegration))
struct TokenFamilyTests {
    @Test("rotation carries the log-in's start; past the absolute lifetime refresh is a 401 that says to log in again, and the family is revoked")
    func absoluteLifetime() throws {
        let harness = try APIHarness()
        let username = uniqueName("fam")
        let id = try #require(try harness.register(username: username).userID)
        let first = try harness.login(username)
        let rotated = try harness.request(.post, "/api/token/refresh/", json: ["refresh": first.refresh])
        #expect(rotated.status == 200)
        let refresh = try #require(rotated.object["refresh"] as? String)
        let access = try #require(rotated.object["access"] as? String)
        #expect(try harness.count("SELECT count(DISTINCT family_started_at)::int8 FROM refresh_tokens WHERE user_id = \(id)") == 1)

        // 29 days and 23 hours old: still refreshes.
        try harness.database.write { try $0.execute("UPDATE refresh_tokens SET family_started_at = now() - interval '29 days 23 hours' WHERE user_id = \(id)") }
        let young = try harness.request(.post, "/api/token/refresh/", json: ["refresh": refresh])
        #expect(young.status == 200)
        let last = try #require(young.object["refresh"] as? String)

        try harness.database.write { try $0.execute("UPDATE refresh_tokens SET family_started_at = now() - interval '30 days 1 minute' WHERE user_id = \(id)") }
        let old = try harness.request(.post, "/api/token/refresh/", json: ["refresh": last])
        #expect(old.status == 401)
        #expect(old.detail == "This log-in is more than 30 days old and cannot be refreshed. Log in again.")
        #expect(old.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(try harness.request(.get, "/api/users/me/", token: access).status == 401, "the family's access tokens end with it")
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE user_id = \(id) AND revoked_at IS NULL") == 0)
        // A new log-in starts a new family.
        let again = try harness.login(username)
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": again.refresh]).status == 200)
    }

    @Test("PARLEY_REFRESH_FAMILY_DAYS sets the lifetime; nonsense is refused")
    func setting() throws {
        let key = ["PARLEY_JWT_SECRET": UUID().uuidString + UUID().uuidString]
        #expect(try AuthConfiguration.fromEnvironment(key).refreshFamilyDays == 30)
        #expect(try AuthConfiguration.fromEnvironment(key.merging(["PARLEY_REFRESH_FAMILY_DAYS": "7"]) { $1 }).refreshFamilyDays == 7)
        for bad in ["0", "-1", "ten", "99999999999999999999", "3651"] {
            #expect(throws: ConfigurationError.self) { try AuthConfiguration.fromEnvironment(key.merging(["PARLEY_REFRESH_FAMILY_DAYS": bad]) { $1 }) }
        }
    }

    @Test("/account lists the live API log-ins and ends one at once; another user's cannot be ended")
    func accountPage() throws {
        let h = try APIHarness.pages()
        let name = uniqueName("famp")
        let browser = PageBrowser(h)
        #expect(try browser.signUp(name).status == 303)
        let laptop = try h.login(name)
        let script = try h.login(name)
        let id = try h.userID(name)

        let page = try browser.get("/account")
        #expect(page.status == 200)
        #expect(page.text.contains("API log-ins"))
        let families = try h.database.read {
            try $0.query("SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = \(id)").decode(UUID.self)
        }
        #expect(families.count == 2)
        for family in families { #expect(page.text.contains("value=\"\(family.apiString)\"")) }

        // Someone else cannot end them (the form posts only an id).
        let intruder = PageBrowser(h)
        #expect(try intruder.signUp(uniqueName("intr")).status == 303)
        _ = try intruder.get("/account")
        let refused = try intruder.post("/account/api-logins/end", [("login", families[0].apiString)])
        #expect(refused.status == 303)
        #expect(try h.request(.get, "/api/users/me/", token: laptop.access).status == 200)
        #expect(try h.request(.get, "/api/users/me/", token: script.access).status == 200)

        let scriptFamily = try #require(try JWTSigner(key: h.configuration.auth.jwtKey).verify(script.refresh).family.flatMap(UUID.init(apiString:)))
        let ended = try browser.post("/account/api-logins/end", [("login", scriptFamily.apiString)])
        #expect(ended.status == 303)
        #expect(try browser.follow(ended).text.contains("API log-in ended."))
        #expect(try h.request(.get, "/api/users/me/", token: script.access).status == 401)
        #expect(try h.request(.post, "/api/token/refresh/", json: ["refresh": script.refresh]).status == 401)
        #expect(try h.request(.get, "/api/users/me/", token: laptop.access).status == 200, "the other log-in goes on")
        let after = try browser.get("/account")
        #expect(!after.text.contains("value=\"\(scriptFamily.apiString)\""))

        let malformed = try browser.post("/account/api-logins/end", [("login", "not-a-uuid")])
        #expect(malformed.status == 400)
    }
}
