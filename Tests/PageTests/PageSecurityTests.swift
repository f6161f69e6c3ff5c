import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// Sessions, CSRF, escaping, permissions and headers of the pages, in process.
@Suite("Pages: sessions and safety", .enabled(if: TestEnvironment.runsIntegration))
struct PageSecurityTests {
    @Test("the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, without Domain; only its hash is stored")
    func cookieFlags() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("cookie")
        try browser.signUp(name)
        let header = try #require(browser.setCookieHeader("__Host-parley_session"))
        let attributes = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(attributes.contains("Secure"))
        #expect(attributes.contains("HttpOnly"))
        #expect(attributes.contains("SameSite=Lax"))
        #expect(attributes.contains("Path=/"))
        #expect(!attributes.contains { $0.lowercased().hasPrefix("domain") })
        let token = try #require(browser.sessionToken)
        #expect(Base64URL.decode(token)?.count == 32, "a 256-bit random token")
        let stored = try h.database.read { try $0.query("SELECT token_hash FROM web_sessions WHERE user_id = \(try h.userID(name))").decode(String.self) }
        #expect(stored == [Sodium.sha256Hex(token)])
        #expect(try h.count("SELECT count(*) FROM web_sessions WHERE token_hash = \(token)") == 0)
    }

    @Test("a POST without a valid CSRF token is refused with a 403 page and changes nothing")
    func csrfRefused() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("csrf")
        try browser.signUp(name)
        let userID = try h.userID(name)
        _ = try browser.get("/conversations/new")

        let missing = try browser.post("/conversations/new", [("participants", name)], csrf: false)
        #expect(missing.status == 403)
        #expect(missing.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(missing.text.contains("did not come from this site"))
        #expect(missing.text.contains("/static/style.css"))

        let forged = try browser.post("/conversations/new", [("participants", name), ("csrf_token", Base64URL.encode(Sodium.randomBytes(32)))])
        #expect(forged.status == 403)
        #expect(try h.count("SELECT count(*) FROM conversation_participants WHERE user_id = \(userID)") == 0)

        // Another visitor's token (valid for their own session) does not work here.
        let other = PageBrowser(h)
        try other.signUp(uniqueName("other"))
        let othersToken = try #require(PageBrowser.csrfToken(in: try other.get("/inbox").text))
        #expect(try browser.post("/logout", [("csrf_token", othersToken)]).status == 403)
        #expect(try browser.get("/inbox").status == 200, "still logged in")

        // Log-in is protected too (login CSRF): without the anonymous cookie's token, 403.
        let anonymous = PageBrowser(h)
        #expect(try anonymous.post("/login", [("username", name), ("password", "correct horse battery")], csrf: false).status == 403)
        #expect(anonymous.sessionToken == nil)
    }

    @Test("log-in issues a new session token and ends the one the browser came with")
    func sessionRotation() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("rotate")
        try browser.signUp(name)
        let first = try #require(browser.sessionToken)
        // Log in again over the existing session (as after a session-fixation attempt).
        _ = try browser.get("/login")
        let response = try browser.post("/login", [("username", name), ("password", "correct horse battery")])
        #expect(response.status == 303)
        let second = try #require(browser.sessionToken)
        #expect(second != first)
        #expect(try h.count("SELECT count(*) FROM web_sessions WHERE token_hash = \(Sodium.sha256Hex(first))") == 0)
        // A planted token that names no session is not promoted either.
        let planted = PageBrowser(h)
        let fake = Base64URL.encode(Sodium.randomBytes(32))
        planted.setCookie("__Host-parley_session", fake)
        _ = try planted.get("/login")
        #expect(planted.sessionToken == nil, "an unknown session cookie is deleted")
        _ = try planted.post("/login", [("username", name), ("password", "correct horse battery")])
        #expect(planted.sessionToken != nil && planted.sessionToken != fake)
    }

    @Test("log-out ends the session server-side: the old cookie no longer works")
    func logoutEndsSession() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        try browser.signUp(uniqueName("logout"))
        let token = try #require(browser.sessionToken)
        _ = try browser.logOut()
        let replay = PageBrowser(h)
        replay.setCookie("__Host-parley_session", token)
        let response = try replay.get("/inbox")
        #expect(response.status == 303)
        #expect(response.header("Location")?.hasPrefix("/login") == true)
        #expect(replay.sessionToken == nil, "the redirect deletes the dead cookie: \(replay.setCookieHeader(SessionCookies.session) ?? "no Set-Cookie")")
    }

    @Test("idle and absolute expiry end a session")
    func expiry() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("idle")
        try browser.signUp(name)
        let hash = Sodium.sha256Hex(try #require(browser.sessionToken))
        #expect(try browser.get("/inbox").status == 200)
        try h.database.write { try $0.execute("UPDATE web_sessions SET last_seen_at = now() - interval '3 hours' WHERE token_hash = \(hash)") }
        #expect(try browser.get("/inbox").status == 303, "idle for longer than 2 h")

        try browser.logIn(name)
        let second = Sodium.sha256Hex(try #require(browser.sessionToken))
        try h.database.write { try $0.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = \(second)") }
        #expect(try browser.get("/inbox").status == 303, "past its absolute expiry")
    }

    @Test("a view moves the session's last activity once the touch interval has passed, and writes nothing before")
    func touch() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        try browser.signUp(uniqueName("touch"))
        let hash = Sodium.sha256Hex(try #require(browser.sessionToken))
        func stored() throws -> (seconds: Double, version: String) {
            try h.database.read { connection in
                let row = try #require(try connection.query("""
                    SELECT extract(epoch FROM now() - last_seen_at)::float8 AS age, xmin::text AS version
                    FROM web_sessions WHERE token_hash = \(hash)
                    """).first)
                return (try row.decode(Double.self, column: "age"), try row.decode(String.self, column: "version"))
            }
        }
        // Seen ten seconds ago: within the 60 s interval, the view leaves the row as it is.
        try h.database.write { try $0.execute("UPDATE web_sessions SET last_seen_at = now() - interval '10 seconds' WHERE token_hash = \(hash)") }
        let recent = try stored()
        #expect(try browser.get("/inbox").status == 200)
        #expect(try stored().version == recent.version, "no new row version")
        // Seen ten minutes ago: the view moves it to now, and the session stays live.
        try h.database.write { try $0.execute("UPDATE web_sessions SET last_seen_at = now() - interval '10 minutes' WHERE token_hash = \(hash)") }
        #expect(try browser.get("/inbox").status == 200)
        #expect(try stored().seconds < 5)
        #expect(try browser.get("/inbox").status == 200)
    }

    @Test("a password change ends the user's other sessions and API tokens, and keeps this browser logged in")
    func passwordChange() throws {
        let h = try APIHarness.pages()
        let name = uniqueName("pw")
        let laptop = PageBrowser(h)
        try laptop.signUp(name)
        let phone = PageBrowser(h)
        try phone.logIn(name)
        let api = try h.login(name)
        #expect(try phone.get("/inbox").status == 200)

        _ = try laptop.get("/account")
        let wrong = try laptop.post("/account/password", [("current_password", "nope nope nope"), ("new_password", "a brand new secret"), ("new_password_confirmation", "a brand new secret")])
        #expect(wrong.status == 200)
        #expect(wrong.text.contains("That is not your current password."))
        let mismatch = try laptop.post("/account/password", [("current_password", "correct horse battery"), ("new_password", "a brand new secret"), ("new_password_confirmation", "something else")])
        #expect(mismatch.text.contains("didn’t match"))

        let changed = try laptop.post("/account/password", [("current_password", "correct horse battery"), ("new_password", "a brand new secret"), ("new_password_confirmation", "a brand new secret")])
        #expect(changed.status == 303)
        #expect(try laptop.follow(changed).text.contains("Password changed."))
        #expect(try laptop.get("/inbox").status == 200, "this browser stays logged in, on a new session")
        #expect(try phone.get("/inbox").status == 303, "the other session is over")
        #expect(try h.request(.get, "/api/users/me/", token: api.access).status == 401, "API access tokens end too")
        #expect(try h.request(.post, "/api/token/refresh/", json: ["refresh": api.refresh]).status == 401)
        #expect(try h.sessionCount(try h.userID(name)) == 1)
        // The new password works, the old one not.
        let fresh = PageBrowser(h)
        #expect(try fresh.logIn(name).status == 200)
        #expect(try fresh.logIn(name, password: "a brand new secret").status == 303)
    }

    @Test("a wrong password shows the form again without saying which part was wrong; the username is kept, the password not")
    func wrongPassword() throws {
        let h = try APIHarness.pages()
        let name = uniqueName("wrong")
        try PageBrowser(h).signUp(name)
        let browser = PageBrowser(h)
        let wrongPassword = try browser.logIn(name, password: "incorrect password")
        let unknownUser = try browser.logIn(uniqueName("nobody"), password: "incorrect password")
        for response in [wrongPassword, unknownUser] {
            #expect(response.status == 200)
            #expect(response.text.contains("Please enter a correct username (or email) and password."))
            #expect(!response.text.contains("incorrect password"))
        }
        #expect(wrongPassword.text.contains("value=\"\(name)\""))
        #expect(browser.sessionToken == nil)
    }

    @Test("sign-up errors sit next to their fields, with the entered values kept but never the password")
    func signupErrors() throws {
        let h = try APIHarness.pages()
        let taken = uniqueName("taken")
        try PageBrowser(h).signUp(taken)
        let browser = PageBrowser(h)
        _ = try browser.get("/signup")
        let response = try browser.post("/signup", [
            ("username", taken), ("email", "not-an-email"), ("password", "short"), ("first_name", "Zoë"), ("last_name", ""),
        ])
        #expect(response.status == 200)
        #expect(response.text.contains("A user with that username already exists.") || response.text.contains("Enter a valid email address."))
        #expect(response.text.contains("Enter a valid email address."))
        #expect(response.text.contains("value=\"not-an-email\""))
        #expect(response.text.contains("value=\"Zoë\""))
        #expect(!response.text.contains("value=\"short\""))
        #expect(response.text.contains("aria-invalid=\"true\""))
        let mismatch = try browser.post("/signup", [
            ("username", uniqueName("mm")), ("email", "mm@example.com"), ("password", "correct horse battery"),
            ("password_confirmation", "different horse battery"), ("first_name", "M"),
        ])
        #expect(mismatch.text.contains("The two password fields didn’t match."))
        #expect(browser.sessionToken == nil)
    }

    @Test("a message containing HTML is shown as text", arguments: [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "\"><b>bold</b>",
    ])
    func escaping(body: String) throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("esc")
        try browser.signUp(name)
        _ = try browser.get("/conversations/new")
        let created = try browser.post("/conversations/new", [("participants", name), ("title", "<i>title</i>")])
        let path = try #require(created.header("Location"))
        _ = try browser.get(path)
        let page = try browser.post(path + "/messages", [("message_body", body)], follow: true)
        #expect(page.status == 200)
        #expect(!page.text.contains(body), "the raw HTML must not appear")
        #expect(page.text.contains(body.htmlEscaped))
        #expect(page.text.contains("&lt;i&gt;title&lt;/i&gt;"))
        #expect(try browser.get("/inbox").text.contains(body.htmlEscaped))
    }

    @Test("someone outside a conversation gets a 403 page; a missing one a 404 page")
    func nonParticipant() throws {
        let h = try APIHarness.pages()
        let owner = PageBrowser(h)
        let ownerName = uniqueName("owner")
        try owner.signUp(ownerName)
        _ = try owner.get("/conversations/new")
        let path = try #require(try owner.post("/conversations/new", [("participants", ownerName)]).header("Location"))
        let messageID = try #require(try owner.post(path + "/messages", [("message_body", "private")], follow: true).messageIDs.first)

        let stranger = PageBrowser(h)
        try stranger.signUp(uniqueName("stranger"))
        for uri in [path, "/messages/\(messageID)/history", "/messages/\(messageID)/edit"] {
            let response = try stranger.get(uri)
            #expect(response.status == 403, "\(uri)")
            #expect(response.text.contains("class=\"error-code\">403"))
            #expect(!response.text.contains("private"))
        }
        _ = try stranger.get("/inbox")
        #expect(try stranger.post(path + "/messages", [("message_body", "let me in")]).status == 403)
        let missing = try stranger.get("/conversations/\(UUID().uuidString.lowercased())")
        #expect(missing.status == 404)
        #expect(missing.text.contains("action=\"/logout\""), "the error page has the visitor's navigation")
        #expect(try stranger.get("/conversations/not-a-uuid").status == 404)
    }

    @Test("the admin page is refused to a guest (403), sends anonymous visitors to log in, and works for admins")
    func adminOnly() throws {
        let h = try APIHarness.pages()
        let guest = PageBrowser(h)
        let guestName = uniqueName("guest")
        try guest.signUp(guestName)
        let refused = try guest.get("/admin/users")
        #expect(refused.status == 403)
        #expect(refused.text.contains("This page is for administrators."))
        _ = try guest.get("/inbox")
        #expect(try guest.post("/admin/users/\(try h.userID(guestName).uuidString.lowercased())/role", [("role", "admin")]).status == 403)
        #expect(try h.database.read { try $0.query("SELECT role FROM users WHERE username = \(guestName)").first!.decode(String.self) } == "guest")

        let anonymous = try PageBrowser(h).get("/admin/users")
        #expect(anonymous.status == 303)
        #expect(anonymous.header("Location") == "/login?next=%2Fadmin%2Fusers")

        let admin = PageBrowser(h)
        let adminName = uniqueName("admin")
        try admin.signUp(adminName)
        try h.database.write { try $0.execute("UPDATE users SET role = 'admin' WHERE username = \(adminName)") }
        let list = try admin.get("/admin/users?search=\(guestName)")
        #expect(list.status == 200)
        #expect(list.text.contains(guestName))
        let changed = try admin.post("/admin/users/\(try h.userID(guestName).uuidString.lowercased())/role", [("role", "host"), ("search", guestName)])
        #expect(changed.status == 303)
        #expect(changed.header("Location") == "/admin/users?search=\(guestName)")
        #expect(try admin.follow(changed).text.contains("\(guestName) is now a host."))
        #expect(try h.database.read { try $0.query("SELECT role FROM users WHERE username = \(guestName)").first!.decode(String.self) } == "host")
    }

    @Test("?next= only returns to a path on this site", arguments: [
        ("/conversations/new", "/conversations/new"),
        ("/inbox?page=2", "/inbox?page=2"),
        ("//evil.example", "/inbox"),
        ("https://evil.example/", "/inbox"),
        ("/\\evil.example", "/inbox"),
        ("/\t/evil.example", "/inbox"),
        ("http:/evil.example", "/inbox"),
        ("javascript:alert(1)", "/inbox"),
        ("/api/users/me/", "/inbox"),
    ])
    func nextRedirect(next: String, expected: String) throws {
        let h = try APIHarness.pages()
        let name = uniqueName("next")
        try PageBrowser(h).signUp(name)
        let browser = PageBrowser(h)
        let response = try browser.logIn(name, next: next)
        #expect(response.status == 303)
        #expect(response.header("Location") == expected)
    }

    @Test("pages carry the security headers; the API keeps its JSON errors")
    func headers() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        for uri in ["/", "/login", "/no/such/page"] {
            let response = try browser.get(uri)
            #expect(response.header("Content-Security-Policy")?.contains("script-src 'self'") == true, "\(uri)")
            #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(response.header("Content-Security-Policy")?.contains("form-action 'self'") == true)
            #expect(response.header("X-Frame-Options") == "DENY")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Referrer-Policy") == "same-origin")
        }
        let notFound = try browser.get("/no/such/page")
        #expect(notFound.status == 404)
        #expect(notFound.text.contains("Page not found"))
        let api = try h.request(.get, "/api/no-such-thing/")
        #expect(api.status == 404)
        #expect(api.header("Content-Type") == "application/json")
        #expect(api.text == #"{"detail":"Not found."}"#)
        #expect(api.header("Content-Security-Policy") == nil)
    }

    @Test("a cookie never authenticates the API")
    func cookieIsNotAPIAuth() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        try browser.signUp(uniqueName("api"))
        let response = try browser.send(.get, "/api/users/me/", body: nil)
        #expect(response.status == 401)
    }
}
