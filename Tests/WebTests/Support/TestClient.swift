import Foundation
import Web

/// Drives an ``Application`` in-process, with no socket: builds the request, a fresh context
/// with a recording logger, and returns the response. `log` holds what the request logged.
struct TestClient {
    let application: Application<TestContext>
    let log = LogRecorder()

    init(middleware: [any Middleware<TestContext>] = [], routes: (inout Router<TestContext>) -> Void) {
        var router = Router<TestContext>()
        routes(&router)
        application = Application(
            router: router, middleware: middleware, errorPages: .plain(siteName: "Test site", stylesheet: "/static/style.css"),
            jsonErrorPathPrefixes: ["/api"])
    }

    @discardableResult
    func send(_ method: HTTPMethod = .get, _ uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) -> Response {
        send(Request(method: method, uri: uri, headers: headers, body: body))
    }

    @discardableResult
    func send(_ request: Request) -> Response {
        application.respond(to: request, context: TestContext(logger: log.makeLogger()))
    }
}

extension Response {
    /// `detail` of a JSON error body (`{"detail": "…"}`), nil when the body is not that shape.
    var detail: String? {
        (try? JSONDecoder().decode([String: String].self, from: Data(body)))?["detail"]
    }

    /// A JSON validation body (`{"field": ["…"]}`), nil when the body is not that shape.
    var fieldErrors: [String: [String]]? {
        try? JSONDecoder().decode([String: [String]].self, from: Data(body))
    }
}

extension String {
    /// True for a generated request id: 32 lowercase hex digits.
    var isGeneratedRequestID: Bool {
        utf8.count == 32 && utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
