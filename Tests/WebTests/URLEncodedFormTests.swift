import Testing
import Web

@Suite("Query strings and form bodies")
struct URLEncodedFormTests {
    struct Pair: Sendable, CustomStringConvertible {
        let name: String
        let value: String
        init(_ name: String, _ value: String) { self.name = name; self.value = value }
        var description: String { "\(name)=\(value)" }
    }

    @Test("decodes pairs", arguments: [
        ("a=1&b=two+words&c", [Pair("a", "1"), Pair("b", "two words"), Pair("c", "")]),
        ("a=1&a=2&a=", [Pair("a", "1"), Pair("a", "2"), Pair("a", "")]),
        ("q=%20x%2B", [Pair("q", " x+")]),
        ("name=caf%C3%A9", [Pair("name", "café")]),
        ("name=caf%c3%a9", [Pair("name", "café")]),
        ("k%3D=v%26w", [Pair("k=", "v&w")]),
        ("a=b=c", [Pair("a", "b=c")]),
        ("a=1&&b=2&", [Pair("a", "1"), Pair("b", "2")]),
        ("first+name=Ada", [Pair("first name", "Ada")]),
        ("", []),
    ])
    func decodes(input: String, expected: [Pair]) throws {
        let form = try URLEncodedForm(parsing: input[...])
        #expect(form.pairs.map(\.name) == expected.map(\.name))
        #expect(form.pairs.map(\.value) == expected.map(\.value))
    }

    @Test("repeated names: the subscript gives the first, values(for:) all")
    func repeatedNames() throws {
        let form = try URLEncodedForm(parsing: "tag=a&x=1&tag=b"[...])
        #expect(form["tag"] == "a")
        #expect(form.values(for: "tag") == ["a", "b"])
        #expect(form["missing"] == nil)
        #expect(form.values(for: "missing").isEmpty)
    }

    @Test("malformed input is a 400 that says what is wrong", arguments: [
        ("a=%", "Malformed query string: invalid percent-encoding."),
        ("a=%2", "Malformed query string: invalid percent-encoding."),
        ("a=%zz", "Malformed query string: invalid percent-encoding."),
        ("a=%g1", "Malformed query string: invalid percent-encoding."),
        ("%zz=1", "Malformed query string: invalid percent-encoding."),
        ("ok=1&a=%C3", "Malformed query string: not valid UTF-8."),
        ("a=%FF", "Malformed query string: not valid UTF-8."),
        ("a=%C3%28", "Malformed query string: not valid UTF-8."),
        ("a=%ED%A0%80", "Malformed query string: not valid UTF-8."),  // a UTF-16 surrogate
    ])
    func rejects(input: String, message: String) {
        #expect(throws: HTTPError(.badRequest, message)) {
            try URLEncodedForm(parsing: input[...])
        }
    }

    @Test("encoded escapes everything but unreserved characters and parses back")
    func encodedRoundTrip() throws {
        let form = URLEncodedForm(pairs: [("q", "a b&c=d+e"), ("é", "1/2"), ("safe", "A-z_0.9~")])
        #expect(form.encoded == "q=a%20b%26c%3Dd%2Be&%C3%A9=1%2F2&safe=A-z_0.9~")
        #expect(try URLEncodedForm(parsing: form.encoded[...]) == form)
    }

    // MARK: Through a request

    @Test("the query of a request is decoded; the path is not affected by it")
    func requestQuery() {
        let request = Request(method: .get, uri: "/search?q=two+words&page=2&page=3&flag")
        #expect(request.path == "/search")
        #expect(request.rawQuery == "q=two+words&page=2&page=3&flag")
        #expect(request.query["q"] == "two words")
        #expect(request.query.values(for: "page") == ["2", "3"])
        #expect(request.query["flag"] == "")
        #expect(request.rejection == nil)
    }

    @Test("a form body is decoded")
    func formBody() throws {
        let request = Request(
            method: .post, uri: "/signup",
            headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("email=ada%40example.org&name=Ada+Lovelace&city=Z%C3%BCrich".utf8)
        )
        let form = try request.form()
        #expect(form["email"] == "ada@example.org")
        #expect(form["name"] == "Ada Lovelace")
        #expect(form["city"] == "Zürich")
        #expect(request.mediaType == "application/x-www-form-urlencoded")
    }

    @Test("a malformed form body is a 400", arguments: [
        ([0x61, 0x3D, 0xFF] as [UInt8], "Malformed form body: not valid UTF-8."),
        (Array("a=%zz".utf8), "Malformed form body: invalid percent-encoding."),
        (Array("a=%FF".utf8), "Malformed form body: not valid UTF-8."),
    ])
    func malformedFormBody(body: [UInt8], message: String) {
        let request = Request(method: .post, uri: "/signup", body: body)
        #expect(throws: HTTPError(.badRequest, message)) { try request.form() }
    }

    @Test("a malformed query is answered with 400 before the route runs", arguments: [
        ("/search?q=%zz", "Malformed query string: invalid percent-encoding."),
        ("/search?q=%", "Malformed query string: invalid percent-encoding."),
        ("/search?q=%C3", "Malformed query string: not valid UTF-8."),
        ("/search?q=%FF", "Malformed query string: not valid UTF-8."),
    ])
    func malformedQueryThroughApplication(uri: String, message: String) {
        let client = TestClient { $0.get("/search") { _, _ in .text("results") } }
        let page = client.send(.get, uri)
        #expect(page.status == .badRequest)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.bodyText.contains(message))
        #expect(page.headers["X-Request-Id"]?.isGeneratedRequestID == true)

        let apiClient = TestClient { $0.get("/api/search") { _, _ in .text("results") } }
        let api = apiClient.send(.get, "/api" + uri)
        #expect(api.status == .badRequest)
        #expect(api.detail == message)
        #expect(api.headers["X-Request-Id"]?.isGeneratedRequestID == true)
    }
}

@Suite("Request paths")
struct RequestPathTests {
    static func makeClient() -> TestClient {
        TestClient { router in
            router.get("/:x") { _, _ in .text("ok") }
            router.get("/api/:x") { _, _ in .text("ok") }
        }
    }

    @Test("the path is percent-decoded, the URI kept as sent", arguments: [
        ("/caf%C3%A9", "/café"),
        ("/a%20b?x=1", "/a b"),
        ("/a+b", "/a+b"),
        ("", "/"),
        ("/?x=1", "/"),
    ])
    func decodedPath(uri: String, path: String) {
        let request = Request(method: .get, uri: uri)
        #expect(request.path == path)
        #expect(request.uri == uri)
        #expect(request.rejection == nil)
    }

    @Test("a malformed path or a NUL is a 400, as HTML or JSON, with a request id", arguments: [
        ("/a%zz", false),
        ("/a%", false),
        ("/a%2", false),
        ("/a%00b", false),
        ("/a%C3", false),
        ("/a%FF", false),
        ("/api/a%zz", true),
        ("/api/a%00", true),
        ("/api/%C3?x=1", true),
    ])
    func malformedPath(uri: String, json: Bool) {
        let request = Request(method: .get, uri: uri)
        #expect(request.rejection == HTTPError(.badRequest, "Malformed request path."))

        let client = Self.makeClient()
        let response = client.send(request)
        #expect(response.status == .badRequest)
        #expect(response.headers["X-Request-Id"] == request.id)
        if json {
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.detail == "Malformed request path.")
        } else {
            #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
            #expect(response.bodyText.contains("Malformed request path."))
        }
        #expect(client.log.accessLog?.metadata["status"] == "400")
    }

    @Test("a rejection set by the transport (body too large) is answered before routing")
    func explicitRejection() {
        var request = Request(method: .get, uri: "/api/fine")
        request.reject(with: HTTPError(.contentTooLarge, "Request body too large (limit 10 bytes)."))
        let response = Self.makeClient().send(request)
        #expect(response.status == .contentTooLarge)
        #expect(response.detail == "Request body too large (limit 10 bytes).")
    }
}
