import Foundation
import Postgres
@testable import ParleyApp
import Testing
import Web

/// Every path the application routes, API and pages alike, answers a method it does not take
/// with 405 and an `Allow` that lists exactly the methods it does take, before any middleware
/// can answer first (no CSRF 403 for a page, no 401 for an API path), and without a database.
@Suite("405 with Allow on every route")
struct MethodNotAllowedTests {
    static let application = ParleyApplication.build(configuration: .testing())

    /// A concrete path for a pattern: each `:parameter` becomes a UUID.
    static func path(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6b" : String($0) }
            .joined(separator: "/")
    }

    /// The methods of every route whose pattern matches `path`, as the router's `Allow` would
    /// list them (HEAD with GET).
    static func allowed(_ path: String) -> Set<String> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods = Set<String>()
        for route in application.router.registeredRoutes {
            let segments = route.pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count == parts.count else { continue }
            let matches = zip(segments, parts).allSatisfy { segment, part in
                segment.hasPrefix(":") ? !part.isEmpty : segment == part
            }
            if matches { methods.insert(route.method.rawValue) }
        }
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods
    }

    static let probes = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]

    @Test("each undeclared method is 405 with the path's Allow")
    func everyRoute() throws {
        let paths = Set(Self.application.router.registeredRoutes.map { Self.path($0.pattern) })
        #expect(paths.count > 40)
        var checked = 0
        for path in paths.sorted() {
            let allowed = Self.allowed(path)
            for method in Self.probes where !allowed.contains(method) {
                let request = Request(method: HTTPMethod(rawValue: method), uri: path, remoteAddress: "127.0.0.1")
                let response = OpenAPIFixture.respond(Self.application, to: request)
                #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status.code)")
                let allow = response.headers["Allow"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
                #expect(Set(allow) == allowed, "\(method) \(path): Allow \(allow)")
                #expect(allow.count == allowed.count, "\(method) \(path): Allow \(allow) lists a method twice")
                let json = response.headers["Content-Type"] == "application/json"
                #expect(json == path.hasPrefix("/api/"), "\(method) \(path): \(response.headers["Content-Type"] ?? "-")")
                checked += 1
            }
        }
        #expect(checked > 200)
    }

    @Test("a page's PATCH is 405, not the CSRF check's 403; an API path's with a bad token is 405, not 401")
    func beforeMiddleware() {
        let page = OpenAPIFixture.respond(Self.application, to: Request(method: .patch, uri: "/login", remoteAddress: "127.0.0.1"))
        #expect(page.status == .methodNotAllowed)
        #expect(page.headers["Allow"] == "GET, HEAD, POST")
        let api = OpenAPIFixture.respond(Self.application, to: Request(
            method: HTTPMethod(rawValue: "TRACE"), uri: "/api/users/me/",
            headers: ["Authorization": "Bearer not-a-token"], remoteAddress: "127.0.0.1"))
        #expect(api.status == .methodNotAllowed)
        #expect(api.headers["Allow"] == "GET, HEAD, PATCH, DELETE")
        #expect(api.bodyText == #"{"detail":"Method \"TRACE\" not allowed."}"#)
    }

    @Test("a path no route has stays a 404 whatever the method")
    func unknownPath() {
        for method in ["GET", "TRACE", "PUT"] {
            let response = OpenAPIFixture.respond(Self.application, to: Request(method: HTTPMethod(rawValue: method), uri: "/api/nothing/here/", remoteAddress: "127.0.0.1"))
            #expect(response.status == .notFound)
        }
    }
}

extension OpenAPIFixture {
    /// `request` through the whole application, with a context whose database is never reached.
    static func respond(_ application: Application<AppContext>, to request: Request) -> Response {
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: "postgresql:///unused?host=/nonexistent"), logger: logger)
        return application.respond(to: request, context: AppContext(request: request, database: database, logger: logger))
    }
}
