import Foundation
import ParleyTesting
import Testing

/// The pages through the real nginx and `parley serve` that `make test` starts, as a browser
/// without JavaScript: curl with a cookie jar, forms posted with the CSRF token read from the
/// page, redirects looked at before they are followed.
///
/// Few sign-ups on purpose: the stack limits them per client address, and every test here
/// comes from 127.0.0.1.
@Suite("Pages end to end through nginx", .serialized, .enabled(if: TestEnvironment.runsIntegration))
struct PageEndToEndTests {
    @Test("sign up, log out, log in, converse, reply, edit, history, notifications for the other participant, delete the account")
    func journey() throws {
        let alice = try PageClient()
        let bob = try PageClient()
        let aliceName = PageClient.uniqueName("e2ealice")
        let bobName = PageClient.uniqueName("e2ebob")

        // Sign-up: a 303 to the inbox with the session cookie, flags as they must be.
        let signedUp = try alice.signUp(aliceName)
        #expect(signedUp.status == 303)
        #expect(signedUp.header("Location") == "/inbox")
        let cookie = try #require(signedUp.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("__Host-parley_session=") }?.1)
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] { #expect(cookie.contains(flag), "\(flag) in \(cookie)") }
        #expect(!cookie.lowercased().contains("domain="))
        let inbox = try alice.get("/inbox")
        #expect(inbox.status == 200)
        #expect(inbox.bodyText.contains("Welcome to Parley"))
        for (name, value) in [
            ("Content-Security-Policy", "script-src 'self'"), ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
        ] {
            #expect(inbox.header(name)?.contains(value) == true, "\(name)")
        }
        #expect(try bob.signUp(bobName).status == 303)

        // Log out, log in again: a new session token each time.
        let before = try #require(alice.sessionToken)
        let loggedOut = try alice.post("/logout", [:])
        #expect(loggedOut.status == 303)
        #expect(alice.sessionToken == nil)
        #expect(try alice.get("/inbox").status == 303, "logged out")
        _ = try alice.get("/login")
        let loggedIn = try alice.post("/login", ["username": aliceName, "password": PageClient.password])
        #expect(loggedIn.status == 303)
        let after = try #require(alice.sessionToken)
        #expect(after != before)

        // Start a conversation with Bob, post, reply, edit.
        _ = try alice.get("/conversations/new")
        let created = try alice.post("/conversations/new", ["participants": bobName, "title": "E2E plans"])
        #expect(created.status == 303)
        let path = try #require(created.header("Location"))
        _ = try alice.get(path)
        #expect(try alice.post(path + "/messages", ["message_body": "<script>alert('e2e')</script> first"]).status == 303)
        let page = try alice.get(path)
        #expect(!page.bodyText.contains("<script>alert"), "the message is escaped")
        #expect(page.bodyText.contains("&lt;script&gt;alert(&#39;e2e&#39;)&lt;/script&gt; first"))
        let firstID = try #require(page.bodyText.firstMatch(of: /id="m-([0-9a-f-]{36})"/).map { String($0.1) })
        #expect(try alice.post(path + "/messages", ["message_body": "a reply", "parent_message": firstID]).status == 303)
        _ = try alice.get("/messages/\(firstID)/edit")
        #expect(try alice.post("/messages/\(firstID)/edit", ["message_body": "first, edited"]).status == 303)
        let history = try alice.get("/messages/\(firstID)/history")
        #expect(history.status == 200)
        #expect(history.bodyText.contains("first, edited"))
        #expect(history.bodyText.contains("&lt;script&gt;"))

        // Bob is told, twice.
        let notifications = try bob.get("/notifications")
        #expect(notifications.status == 200)
        #expect(notifications.bodyText.components(separatedBy: "<strong>\(aliceName)</strong> wrote in").count == 3)
        #expect(notifications.bodyText.contains("E2E plans"))
        let thread = try bob.get(path)
        #expect(thread.bodyText.contains("first, edited"))
        #expect(thread.bodyText.contains("a reply"))
        #expect(try bob.get("/messages/\(firstID)/edit").status == 403, "not his message")

        // Alice deletes her account and is logged out.
        _ = try alice.get("/account")
        let deleted = try alice.post("/account/delete", ["password": PageClient.password])
        #expect(deleted.status == 303)
        #expect(deleted.header("Location") == "/")
        #expect(alice.sessionToken == nil)
        let gone = try PageClient()
        _ = try gone.get("/login")
        let refused = try gone.post("/login", ["username": aliceName, "password": PageClient.password])
        #expect(refused.status == 200)
        #expect(refused.bodyText.contains("Please enter a correct username"))
        #expect(try !bob.get(path).bodyText.contains("first, edited"), "her messages went with her")
    }

    @Test("CSRF refusal, a stranger's 403, the guest's admin 403, ?next= open redirects refused")
    func safety() throws {
        let owner = try PageClient()
        let ownerName = PageClient.uniqueName("e2eowner")
        #expect(try owner.signUp(ownerName).status == 303)
        _ = try owner.get("/conversations/new")
        let path = try #require(try owner.post("/conversations/new", ["participants": ownerName, "title": "private"]).header("Location"))

        // No token, or a made-up one: 403 page, nothing created.
        let noToken = try owner.post("/conversations/new", ["participants": ownerName, "title": "csrf"], withToken: false)
        #expect(noToken.status == 403)
        #expect(noToken.header("Content-Type")?.hasPrefix("text/html") == true)
        let madeUp = try owner.post("/conversations/new", ["participants": ownerName, "title": "csrf", "csrf_token": "AAAA"], withToken: false)
        #expect(madeUp.status == 403)
        #expect(try !owner.get("/inbox").bodyText.contains(">csrf<"))

        // Someone else: 403 on the conversation, 404 on one that does not exist.
        let stranger = try PageClient()
        _ = try stranger.get("/login")
        // The stranger is anonymous: sent to log in, and back afterwards.
        let anonymous = try stranger.get(path)
        #expect(anonymous.status == 303)
        #expect(anonymous.header("Location")?.hasPrefix("/login?next=") == true)
        // Signed in (as a guest) but not a participant.
        #expect(try stranger.signUp(PageClient.uniqueName("e2estranger")).status == 303)
        let forbidden = try stranger.get(path)
        #expect(forbidden.status == 403)
        #expect(forbidden.bodyText.contains("class=\"error-code\">403"))
        #expect(try stranger.get("/conversations/00000000-0000-0000-0000-000000000000").status == 404)
        let admin = try stranger.get("/admin/users")
        #expect(admin.status == 403, "a guest may not see the admin page")
        #expect(admin.header("Content-Security-Policy") != nil)

        // ?next= goes to local paths only.
        for (next, expected) in [("/notifications", "/notifications"), ("//evil.example", "/inbox"), ("https://evil.example", "/inbox"), ("/\\evil.example", "/inbox")] {
            let browser = try PageClient()
            _ = try browser.get("/login")
            let response = try browser.post("/login", ["username": ownerName, "password": PageClient.password, "next": next])
            #expect(response.status == 303)
            #expect(response.header("Location") == expected, "next=\(next)")
        }
    }
}

/// curl with its own cookie jar, reading each page's CSRF token as a browser submits it.
final class PageClient {
    static let password = "correct horse battery staple"
    let jar: String
    let base: String
    private var lastPage = ""

    init() throws {
        base = try TestEnvironment.httpsURL
        jar = NSTemporaryDirectory() + "parley-jar-\(UUID().uuidString)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: jar)
    }

    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(8).lowercased()
    }

    func get(_ path: String) throws -> CurlResponse {
        let response = try Curl.request(base + path, extraArguments: ["-c", jar, "-b", jar])
        if response.header("Content-Type")?.hasPrefix("text/html") == true { lastPage = response.bodyText }
        return response
    }

    /// Posts `form` with the CSRF token of the last page seen (unless `withToken` is false).
    func post(_ path: String, _ form: [String: String], withToken: Bool = true) throws -> CurlResponse {
        var fields = form
        if withToken, fields["csrf_token"] == nil, let token = lastPage.firstMatch(of: /name="csrf_token" value="([^"]+)"/) {
            fields["csrf_token"] = String(token.1)
        }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        let response = try Curl.request(
            base + path, method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array(body.utf8), extraArguments: ["-c", jar, "-b", jar])
        if response.header("Content-Type")?.hasPrefix("text/html") == true { lastPage = response.bodyText }
        return response
    }

    func signUp(_ username: String) throws -> CurlResponse {
        _ = try get("/signup")
        return try post("/signup", [
            "username": username, "email": "\(username)@example.com", "password": Self.password,
            "password_confirmation": Self.password, "first_name": "E2E", "last_name": "Tester",
        ])
    }

    /// The session cookie in the jar (Netscape format: name in column 6, value in 7).
    var sessionToken: String? {
        guard let text = try? String(contentsOfFile: jar, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            if columns.count >= 7, columns[5] == "__Host-parley_session", !columns[6].isEmpty { return String(columns[6]) }
        }
        return nil
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
