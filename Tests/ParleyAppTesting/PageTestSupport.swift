import Foundation
@testable import ParleyApp
import ParleyTesting
import Postgres
import Web

/// A browser without JavaScript, in process: a cookie jar over ``APIHarness``, forms posted as
/// `application/x-www-form-urlencoded`, CSRF tokens read from the page like a browser submits
/// them. Redirects are followed only when asked, so tests can look at the 303 itself.
final class PageBrowser {
    let harness: APIHarness
    private(set) var cookies: [String: String] = [:]
    /// The raw `Set-Cookie` values of the last response.
    private(set) var lastSetCookies: [String] = []
    /// The last HTML page seen (for its CSRF token).
    private(set) var lastPage: String = ""
    var remoteAddress = "127.0.0.1"

    init(_ harness: APIHarness) {
        self.harness = harness
    }

    var sessionToken: String? { cookies[SessionCookies.session] }

    func get(_ uri: String, follow: Bool = false) throws -> TestResponse {
        let response = try send(.get, uri, body: nil)
        return follow ? try self.follow(response) : response
    }

    /// Posts `form`, adding the CSRF token of the last page seen unless the form has one.
    func post(_ uri: String, _ form: [(String, String)], csrf: Bool = true, follow: Bool = false) throws -> TestResponse {
        var pairs = form.map { (name: $0.0, value: $0.1) }
        if csrf, !pairs.contains(where: { $0.name == "csrf_token" }) {
            pairs.append((name: "csrf_token", value: PageBrowser.csrfToken(in: lastPage) ?? ""))
        }
        let response = try send(.post, uri, body: Array(URLEncodedForm(pairs: pairs).encoded.utf8), contentType: "application/x-www-form-urlencoded")
        return follow ? try self.follow(response) : response
    }

    /// Follows 303s (GET), as a browser does.
    func follow(_ response: TestResponse, limit: Int = 5) throws -> TestResponse {
        var current = response
        var hops = 0
        while (300..<400).contains(current.status), let location = current.header("Location"), hops < limit {
            let path = location.split(separator: "#", maxSplits: 1).first.map(String.init) ?? location
            current = try send(.get, path, body: nil)
            hops += 1
        }
        return current
    }

    /// Signs up through the form (fetching it first, for the CSRF cookie and token).
    @discardableResult
    func signUp(_ username: String, password: String = "correct horse battery", firstName: String = "Pat") throws -> TestResponse {
        _ = try get("/signup")
        return try post("/signup", [
            ("username", username), ("email", "\(username)@example.com"), ("password", password),
            ("password_confirmation", password), ("first_name", firstName), ("last_name", "Tester"),
        ])
    }

    @discardableResult
    func logIn(_ username: String, password: String = "correct horse battery", next: String? = nil) throws -> TestResponse {
        _ = try get(next.map { "/login?" + URLEncodedForm(pairs: [(name: "next", value: $0)]).encoded } ?? "/login")
        var form = [("username", username), ("password", password)]
        if let next { form.append(("next", next)) }
        return try post("/login", form)
    }

    @discardableResult
    func logOut() throws -> TestResponse {
        if lastPage.isEmpty || PageBrowser.csrfToken(in: lastPage) == nil { _ = try get("/inbox") }
        return try post("/logout", [])
    }

    func send(_ method: HTTPMethod, _ uri: String, body: [UInt8]?, contentType: String? = nil, extraHeaders: [String: String] = [:]) throws -> TestResponse {
        var headers: [String: String] = extraHeaders
        if !cookies.isEmpty {
            headers["Cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if let contentType { headers["Content-Type"] = contentType }
        var fields = HTTPHeaders()
        fields["Host"] = "testserver"
        for (name, value) in headers { fields[name] = value }
        let request = Request(method: method, uri: uri, headers: fields, body: body ?? [], remoteAddress: remoteAddress, isSecure: true)
        let response = TestResponse(try harness.application.respond(to: request, context: AppContext(request: request, database: harness.database, logger: harness.logger)).collectingStream())
        lastSetCookies = response.response.headers.values(for: "Set-Cookie")
        for header in lastSetCookies {
            let first = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let equals = first.firstIndex(of: "=") else { continue }
            let name = String(first[..<equals])
            let value = String(first[first.index(after: equals)...])
            if header.contains("Max-Age=0") || value.isEmpty { cookies.removeValue(forKey: name) } else { cookies[name] = value }
        }
        if response.header("Content-Type")?.hasPrefix("text/html") == true { lastPage = response.text }
        return response
    }

    func setCookie(_ name: String, _ value: String?) {
        cookies[name] = value
    }

    /// The `Set-Cookie` value of the last response for `name`.
    func setCookieHeader(_ name: String) -> String? {
        lastSetCookies.first { $0.hasPrefix(name + "=") }
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let token = String(rest[..<end])
        return token.isEmpty ? nil : token
    }
}

extension APIHarness {
    /// A harness for page tests: the message rate limit out of the way unless a test sets one.
    static func pages(observer: (any PostgresObserver)? = nil, _ adjust: (inout AppConfiguration) -> Void = { _ in }) throws -> APIHarness {
        var configuration = AppConfiguration.testing()
        configuration.messaging.messageRateLimit = 100_000
        adjust(&configuration)
        return try APIHarness(configuration: configuration, observer: observer)
    }

    func userID(_ username: String) throws -> UUID {
        try database.read { try $0.query("SELECT user_id FROM users WHERE username = \(username)").first!.decode(UUID.self) }
    }

    /// `userID`'s unread messages in `conversationID` (their participant row's counter) and
    /// unread notifications of it.
    func unread(in conversationID: UUID, of userID: UUID) throws -> (messages: Int, notifications: Int) {
        let messages = try count("SELECT unread_count::int FROM conversation_participants WHERE conversation_id = \(conversationID) AND user_id = \(userID)")
        let notifications = try count("SELECT count(*)::int FROM notifications WHERE conversation_id = \(conversationID) AND recipient_id = \(userID) AND read_at IS NULL")
        return (messages, notifications)
    }

    func sessionCount(_ userID: UUID) throws -> Int {
        try count("SELECT count(*) FROM web_sessions WHERE user_id = \(userID)")
    }
}

extension TestResponse {
    /// The first `href` after `marker` in the body.
    func link(after marker: String) -> String? {
        guard let start = text.range(of: marker) else { return nil }
        guard let href = text[start.upperBound...].range(of: "href=\"") else { return nil }
        let rest = text[href.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Message ids in the page, in document order (`id="m-…"`).
    var messageIDs: [String] {
        var ids: [String] = []
        var rest = text[...]
        while let range = rest.range(of: "id=\"m-") {
            let tail = rest[range.upperBound...]
            guard let end = tail.firstIndex(of: "\"") else { break }
            ids.append(String(tail[..<end]))
            rest = tail[end...]
        }
        return ids
    }
}
