import Testing
import Web

@Suite("Router: matching, 404, 405 and HEAD through the application")
struct RouterTests {
    let client = TestClient { router in
        router.get("/") { _, _ in .text("home") }
        router.get("/users/") { _, _ in .text("list") }
        router.post("/users/") { _, _ in .text("created", status: .created) }
        router.get("/users/me") { _, _ in .text("me") }
        router.get("/users/:id") { request, _ in .text("user \(request.parameter("id") ?? "?")") }
        router.delete("/users/:id") { _, _ in Response(status: .noContent) }
        router.get("/users/:id/posts/:post") { request, _ in
            .text("\(request.parameter("id") ?? "?")/\(request.parameter("post") ?? "?")")
        }
        router.get("/tags/:tag") { request, _ in .text("tag \(request.parameter("tag") ?? "?")") }
        router.post("/login") { _, _ in .text("logged in") }
        router.get("/ping") { _, _ in .text("pong from GET") }
        router.on(.head, "/ping") { _, _ in Response(status: .ok, headers: ["X-Handler": "head"]) }
        router.get("/api/items/") { _, _ in .text("items") }
    }

    @Test("routes by method and path", arguments: [
        (HTTPMethod.get, "/", 200, "home"),
        (.get, "/users/", 200, "list"),
        (.post, "/users/", 201, "created"),
        (.get, "/users/42", 200, "user 42"),
        (.get, "/users/42?tab=posts", 200, "user 42"),
        (.get, "/users/me", 200, "me"),
        (.get, "/users/7/posts/9", 200, "7/9"),
        (HTTPMethod(rawValue: "get"), "/users/", 200, "list"),
        // Parameters are captured from the percent-decoded path; `+` is not a space in a path.
        (.get, "/users/caf%C3%A9", 200, "user café"),
        (.get, "/users/a%20b", 200, "user a b"),
        (.get, "/tags/c++", 200, "tag c++"),
    ])
    func routes(method: HTTPMethod, uri: String, status: Int, body: String) {
        let response = client.send(method, uri)
        #expect(response.status.code == status)
        #expect(response.bodyText == body)
    }

    @Test("unknown paths and trailing-slash mismatches are 404", arguments: [
        "/nope",
        "/users",            // the route is /users/
        "/users/42/",        // the route is /users/:id
        "/users//",
        "/users/7/posts/",   // an empty segment never fills a parameter
        "/ping/",
        "/api/items",
    ])
    func notFound(uri: String) {
        let response = client.send(.get, uri)
        #expect(response.status == .notFound)
    }

    @Test("404 under /api/ is JSON, elsewhere HTML")
    func notFoundFormats() {
        let api = client.send(.get, "/api/nothing")
        #expect(api.status == .notFound)
        #expect(api.headers["Content-Type"] == "application/json")
        #expect(api.detail == "Not found.")

        let page = client.send(.get, "/nothing")
        #expect(page.status == .notFound)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.bodyText.contains("404 Not Found"))
    }

    @Test("405 lists the allowed methods in Allow, with HEAD when GET exists", arguments: [
        (HTTPMethod.put, "/users/42", "GET, HEAD, DELETE"),
        (.delete, "/users/", "GET, HEAD, POST"),
        (HTTPMethod(rawValue: "PURGE"), "/users/", "GET, HEAD, POST"),
        (HTTPMethod(rawValue: "PROPFIND"), "/", "GET, HEAD"),
        (.get, "/login", "POST"),
        (.head, "/login", "POST"),
        (.post, "/ping", "GET, HEAD"),
    ])
    func methodNotAllowed(method: HTTPMethod, uri: String, allow: String) {
        let response = client.send(method, uri)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == allow)
    }

    @Test("405 under /api/ names the method in JSON")
    func methodNotAllowedJSON() {
        let response = client.send(HTTPMethod(rawValue: "PURGE"), "/api/items/")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD")
        #expect(response.detail == "Method \"PURGE\" not allowed.")
    }

    @Test("HEAD is served by the GET route: empty body, GET's Content-Length")
    func headFallsBackToGet() {
        let get = client.send(.get, "/users/42")
        let head = client.send(.head, "/users/42")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == String(get.body.count))
        #expect(head.headers["Content-Length"] == "7")
        #expect(head.headers["Content-Type"] == get.headers["Content-Type"])
        #expect(head.headers["X-Request-Id"] != nil)
    }

    @Test("an explicit HEAD route wins over the GET fallback")
    func explicitHeadRoute() {
        let head = client.send(.head, "/ping")
        #expect(head.headers["X-Handler"] == "head")
        #expect(head.body.isEmpty)
    }

    @Test("HEAD of a missing page is a 404 without a body")
    func headNotFound() {
        let head = client.send(.head, "/nope")
        #expect(head.status == .notFound)
        #expect(head.body.isEmpty)
        #expect(Int(head.headers["Content-Length"] ?? "") ?? 0 > 0)
    }

    @Test("routes with parameters are tried by segment count, in registration order with the literal ones")
    func registrationOrderAcrossKinds() {
        let client = TestClient { router in
            router.get("/a/:x") { _, _ in .text("a/:x") }
            router.get("/a/b") { _, _ in .text("a/b") }
            router.get("/c/d") { _, _ in .text("c/d") }
            router.get("/c/:x") { _, _ in .text("c/:x") }
            router.get("/:x/:y/:z") { _, _ in .text(":x/:y/:z") }
            router.post("/e") { _, _ in .text("post e") }
            router.get("/:x") { request, _ in .text(":x=\(request.parameter("x") ?? "")") }
        }
        #expect(client.send(.get, "/a/b").bodyText == "a/:x")
        #expect(client.send(.get, "/c/d").bodyText == "c/d")
        #expect(client.send(.get, "/c/e").bodyText == "c/:x")
        #expect(client.send(.get, "/1/2/3").bodyText == ":x/:y/:z")
        #expect(client.send(.get, "/e").bodyText == ":x=e")
        #expect(client.send(.post, "/e").bodyText == "post e")
        #expect(client.send(.get, "/1/2/3/4").status == .notFound)
        #expect(client.send(.put, "/1/2/3").status == .methodNotAllowed)
    }

    @Test("registered routes are listed in order")
    func registeredRoutes() {
        let routes = client.application.router.registeredRoutes
        #expect(routes.count == 12)
        #expect(routes.first?.method == .get)
        #expect(routes.first?.pattern == "/")
        #expect(routes.contains { $0.method == .delete && $0.pattern == "/users/:id" })
    }
}
