import Testing
import Web

/// Marks the request on the way in (`X-Seen`) and the response on the way out (`X-Trace`).
struct Tag: Middleware {
    let name: String

    func handle(_ request: Request, context: TestContext, next: Responder<TestContext>) throws -> Response {
        var request = request
        request.headers.add(name: "X-Seen", value: name)
        var response = try next(request, context)
        response.headers.add(name: "X-Trace", value: name)
        return response
    }
}

/// Answers 401 itself unless the request has an `Authorization` header; otherwise sets the user.
struct RequireAuth: Middleware {
    func handle(_ request: Request, context: TestContext, next: Responder<TestContext>) throws -> Response {
        guard let token = request.headers["Authorization"] else {
            return Response.text("Log in first.", status: .unauthorized)
        }
        context.userID = "user-\(token.count)"
        return try next(request, context)
    }
}

/// Adds a security header to every successful response.
struct SecurityHeaders: Middleware {
    func handle(_ request: Request, context: TestContext, next: Responder<TestContext>) throws -> Response {
        var response = try next(request, context)
        response.headers["X-Frame-Options"] = "DENY"
        return response
    }
}

/// Throws from inside the chain, before any route.
struct Maintenance: Middleware {
    func handle(_ request: Request, context: TestContext, next: Responder<TestContext>) throws -> Response {
        throw HTTPError(.serviceUnavailable, headers: ["Retry-After": "120"])
    }
}

@Suite("Middleware and the access log")
struct MiddlewareTests {
    static func routes(_ router: inout Router<TestContext>) {
        router.get("/echo") { request, _ in .text(request.headers.values(for: "X-Seen").joined(separator: ",")) }
        router.get("/private") { _, context in .text("hello \(context.userID ?? "nobody")") }
        router.post("/api/items/:id") { _, _ in .text("stored", status: .created) }
    }

    @Test("the first middleware added runs outermost")
    func order() {
        let client = TestClient(middleware: [Tag(name: "A"), Tag(name: "B"), Tag(name: "C")], routes: Self.routes)
        let response = client.send(.get, "/echo")
        #expect(response.bodyText == "A,B,C")
        #expect(response.headers.values(for: "X-Trace") == ["C", "B", "A"])
    }

    @Test("a middleware can answer without calling the handler")
    func shortCircuit() {
        let client = TestClient(middleware: [Tag(name: "outer"), RequireAuth()], routes: Self.routes)
        let denied = client.send(.get, "/private")
        #expect(denied.status == .unauthorized)
        #expect(denied.bodyText == "Log in first.")
        #expect(denied.headers.values(for: "X-Trace") == ["outer"])
        #expect(denied.headers["X-Request-Id"] != nil)
        #expect(client.log.accessLog?.metadata["status"] == "401")

        let allowed = client.send(.get, "/private", headers: ["Authorization": "Token abc"])
        #expect(allowed.status == .ok)
        #expect(allowed.bodyText == "hello user-9")
    }

    @Test("a middleware can change the response")
    func modifiesResponse() {
        let client = TestClient(middleware: [SecurityHeaders()], routes: Self.routes)
        let response = client.send(.get, "/echo")
        #expect(response.status == .ok)
        #expect(response.headers["X-Frame-Options"] == "DENY")
    }

    @Test("an error thrown by a middleware is rendered like a handler's")
    func middlewareThrows() {
        let client = TestClient(middleware: [Maintenance()], routes: Self.routes)
        let response = client.send(.post, "/api/items/1")
        #expect(response.status == .serviceUnavailable)
        #expect(response.detail == "Service unavailable.")
        #expect(response.headers["Retry-After"] == "120")
        #expect(client.log.accessLog?.metadata["status"] == "503")
    }

    @Test("the access log has method, path, status, duration, request id and the user an inner middleware set")
    func accessLog() throws {
        let client = TestClient(middleware: [Tag(name: "A"), RequireAuth()], routes: Self.routes)
        let request = Request(
            method: .post, uri: "/api/items/caf%C3%A9?x=1",
            headers: ["Authorization": "Token abcdef", "X-Request-Id": "req-1"],
            remoteAddress: "203.0.113.7"
        )
        let response = client.send(request)
        #expect(response.status == .created)

        let requestLines = client.log.entries.filter { $0.message == "request" }
        #expect(requestLines.count == 1)
        let line = try #require(requestLines.first)
        #expect(line.level == .info)
        #expect(line.metadata["method"] == "POST")
        #expect(line.metadata["path"] == "/api/items/café")
        #expect(line.metadata["status"] == "201")
        #expect(line.metadata["request_id"] == "req-1")
        #expect(line.metadata["user"] == "user-12")
        #expect(line.metadata["remote_addr"] == "203.0.113.7")
        #expect(line.metadata["bytes"] == "6")
        let duration = try #require(Double(line.metadata["duration_ms"] ?? ""))
        #expect(duration >= 0 && duration < 60_000)
    }

    @Test("an anonymous request has no user in the access log; errors log the status the client got")
    func accessLogAnonymous() throws {
        let client = TestClient(routes: Self.routes)
        client.send(.get, "/nowhere")
        let line = try #require(client.log.accessLog)
        #expect(line.metadata["user"] == nil)
        #expect(line.metadata["remote_addr"] == nil)
        #expect(line.metadata["status"] == "404")
        #expect(line.metadata["method"] == "GET")
        #expect(line.metadata["path"] == "/nowhere")
    }
}
