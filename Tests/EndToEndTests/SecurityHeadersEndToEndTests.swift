import Foundation
import ParleyTesting
import Testing

/// Every response through the real nginx carries the security headers a browser relies on:
/// all of the API's (nosniff), every page's (CSP, framing, nosniff, referrer), and the errors
/// nginx makes itself (403, 404, 413, 429, 502/504 pages).
@Suite("Security headers on every response, end to end", .serialized, .enabled(if: TestEnvironment.runsIntegration))
struct SecurityHeadersEndToEndTests {
    static let pageHeaders = [
        ("Content-Security-Policy", "script-src 'self'"), ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
        ("Strict-Transport-Security", "max-age="),
    ]

    static func expectPageHeaders(_ response: CurlResponse, _ what: String) {
        for (name, value) in pageHeaders {
            #expect(response.header(name)?.contains(value) == true, "\(what) (\(response.status)): \(name) is \(response.header(name) ?? "missing")")
            #expect(response.headers.filter { $0.0.lowercased() == name.lowercased() }.count <= 1, "\(what): \(name) sent twice")
        }
    }

    @Test("every route of the OpenAPI document, with every method it documents, answers with nosniff")
    func everyAPIRoute() throws {
        let https = try TestEnvironment.httpsURL
        let documentResponse = try Curl.request(https + "/api/openapi.json")
        #expect(documentResponse.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(documentResponse.body)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(paths.count > 10)
        var checked = 0
        for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
            let path = template.replacing(/\{[^}]+\}/, with: UUID().uuidString.lowercased())
            let methods = (item as? [String: Any])?.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) } ?? []
            for method in methods.sorted() {
                let response = try Curl.request(
                    https + path, method: method.uppercased(),
                    headers: method == "get" || method == "delete" ? [:] : ["Content-Type": "application/json"],
                    body: method == "get" || method == "delete" ? nil : Array("{}".utf8),
                    extraArguments: method == "get" ? [] : [])
                let what = "\(method.uppercased()) \(template)"
                #expect(response.status >= 200 && response.status < 600, "\(what)")
                #expect(response.header("X-Content-Type-Options") == "nosniff", "\(what) (\(response.status)) has no nosniff")
                #expect(response.header("Strict-Transport-Security") != nil, "\(what)")
                checked += 1
            }
        }
        #expect(checked >= paths.count)
    }

    @Test("every page, signed out and signed in, carries the page security headers")
    func everyPage() throws {
        let someID = UUID().uuidString.lowercased()
        let pages = [
            "/", "/signup", "/login", "/inbox", "/conversations/new", "/conversations/\(someID)",
            "/messages/\(someID)/edit", "/messages/\(someID)/history", "/notifications", "/account",
            "/admin/users", "/no-such-page",
        ]
        let visitor = try PageClient()
        for page in pages { Self.expectPageHeaders(try visitor.get(page), "signed out: GET \(page)") }

        let user = try PageClient()
        #expect(try user.signUp(PageClient.uniqueName("hdrs")).status == 303)
        for page in pages { Self.expectPageHeaders(try user.get(page), "signed in: GET \(page)") }
        // A refused form (no CSRF token) and a redirect after a successful one.
        Self.expectPageHeaders(try user.post("/account", ["first_name": "x"], withToken: false), "POST /account without CSRF")
        _ = try user.get("/account")
        Self.expectPageHeaders(try user.post("/logout", [:]), "POST /logout")
    }

    @Test("errors nginx makes itself carry the headers: 413, 403 on /status from 127.0.0.2, 404 of a static file")
    func nginxErrors() throws {
        let https = try TestEnvironment.httpsURL
        let body = [UInt8](repeating: 120, count: 11 * 1024 * 1024)
        let tooLarge = try Curl.request(https + "/api/register/", method: "POST", headers: ["Content-Type": "application/json"], body: body)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.bodyText.contains("too much to send"))
        Self.expectPageHeaders(tooLarge, "413")

        for path in ["/status", "/ping"] {
            let refused = try Curl.request(https + path, extraArguments: ["--interface", "127.0.0.2"])
            #expect(refused.status == 403)
            Self.expectPageHeaders(refused, "403 \(path)")
        }

        let missing = try Curl.request(https + "/static/no-such-file.css")
        #expect(missing.status == 404)
        Self.expectPageHeaders(missing, "404 static")
    }
}
