import Testing
import Web
@testable import WebFastCGI

@Suite("FastCGI params → Request, Response → CGI head")
struct WebResponderTests {
    typealias Responder = WebResponder<TestContext>

    @Test("nginx params become a request")
    func makeRequest() {
        let request = Responder.makeRequest(from: [
            "REQUEST_METHOD": "POST",
            "REQUEST_URI": "/api/items/caf%C3%A9?page=2&q=a+b",
            "SCRIPT_NAME": "/ignored",
            "QUERY_STRING": "page=2&q=a+b",
            "HTTP_X_REQUEST_ID": "edge-abc123",
            "HTTP_USER_AGENT": "curl/8.5.0",
            "HTTP_HOST": "parley.example.org",
            "HTTP_COOKIE": "sessionid=s1; theme=dark",
            "CONTENT_TYPE": "application/json; charset=utf-8",
            "CONTENT_LENGTH": "12",
            "HTTPS": "on",
            "REMOTE_ADDR": "203.0.113.9",
            "SERVER_NAME": "parley.example.org",
        ])
        #expect(request.method == .post)
        #expect(request.uri == "/api/items/caf%C3%A9?page=2&q=a+b")
        #expect(request.path == "/api/items/café")
        #expect(request.rawQuery == "page=2&q=a+b")
        #expect(request.query["page"] == "2")
        #expect(request.query["q"] == "a b")
        #expect(request.id == "edge-abc123")
        #expect(request.headers["X-Request-Id"] == "edge-abc123")
        #expect(request.headers["User-Agent"] == "curl/8.5.0")
        #expect(request.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(request.headers["Content-Length"] == "12")
        #expect(request.mediaType == "application/json")
        #expect(request.cookies["sessionid"] == "s1")
        #expect(request.cookies["theme"] == "dark")
        #expect(request.isSecure)
        #expect(request.remoteAddress == "203.0.113.9")
        #expect(request.baseURL == "https://parley.example.org")
        #expect(!request.headers.contains("Server-Name"))
        #expect(request.rejection == nil)
    }

    @Test("HTTPS is on only when the front end says so", arguments: [
        ("on", true), ("ON", true), ("off", false), ("", false), (nil, false),
    ] as [(String?, Bool)])
    func https(value: String?, secure: Bool) {
        var params = ["REQUEST_METHOD": "GET", "REQUEST_URI": "/", "HTTP_HOST": "h"]
        params["HTTPS"] = value
        let request = Responder.makeRequest(from: params)
        #expect(request.isSecure == secure)
        #expect(request.baseURL == (secure ? "https://h" : "http://h"))
    }

    @Test("without REQUEST_URI the target is built from SCRIPT_NAME, PATH_INFO and QUERY_STRING", arguments: [
        (["SCRIPT_NAME": "/app", "PATH_INFO": "/x", "QUERY_STRING": "a=1"], "/app/x?a=1"),
        (["PATH_INFO": "/x"], "/x"),
        (["REQUEST_URI": "", "QUERY_STRING": "a=1"], "/?a=1"),
        ([:], "/"),
    ])
    func uriFallback(params: [String: String], uri: String) {
        let request = Responder.makeRequest(from: params)
        #expect(request.uri == uri)
        #expect(request.method == .get)
        #expect(request.remoteAddress == nil)
        #expect(!request.isSecure)
    }

    @Test("param names become header names", arguments: [
        ("USER_AGENT", "User-Agent"), ("X_REQUEST_ID", "X-Request-Id"), ("ACCEPT", "Accept"), ("X_FORWARDED_FOR", "X-Forwarded-For"),
    ])
    func headerNames(param: String, header: String) {
        #expect(Responder.headerName(fromParam: param[...]) == header)
    }

    @Test("common header params get their names as constants, the same as computed", arguments: [
        "HOST", "PROXY", "ACCEPT", "COOKIE", "ORIGIN", "REFERER", "USER_AGENT", "CONNECTION", "X_REQUEST_ID",
        "CONTENT_TYPE", "AUTHORIZATION", "IF_NONE_MATCH", "CONTENT_LENGTH", "ACCEPT_ENCODING", "ACCEPT_LANGUAGE",
        "X_FORWARDED_FOR",
    ])
    func knownHeaderNames(param: String) {
        var param = param
        param.withUTF8 { bytes in
            #expect(CGIFields.knownHeaderName(bytes) == CGIFields.headerName(fromParam: bytes))
        }
        #expect(param.withUTF8 { CGIFields.knownHeaderName(UnsafeBufferPointer(rebasing: $0.dropLast())) } == nil)
    }

    @Test("the method from REQUEST_METHOD, upper-cased", arguments: [
        ("GET", "GET"), ("POST", "POST"), ("HEAD", "HEAD"), ("PUT", "PUT"), ("get", "GET"), ("PURGE", "PURGE"), ("DELETE", "DELETE"),
    ])
    func methods(value: String, method: String) {
        let request = Responder.makeRequest(from: ["REQUEST_METHOD": value, "REQUEST_URI": "/"])
        #expect(request.method == HTTPMethod(rawValue: method))
        #expect(request.method.rawValue == method)
    }

    @Test("the target splits at the first ?", arguments: [
        ("/a?b=1?c", "/a", "b=1?c"), ("/a?", "/a", ""), ("/?x", "/", "x"), ("/caf%C3%A9/long/enough/to/be/on/the/heap?q=%C3%A9", "/café/long/enough/to/be/on/the/heap", "q=%C3%A9"),
    ])
    func querySplit(uri: String, path: String, query: String) {
        let request = Responder.makeRequest(from: ["REQUEST_METHOD": "GET", "REQUEST_URI": uri])
        #expect(request.path == path)
        #expect(request.rawQuery == query)
    }

    @Test("CONTENT_LENGTH as a number for reading the body", arguments: [
        ("12", 12), ("", nil), ("x", nil), (nil, nil),
    ] as [(String?, Int?)])
    func declaredLength(value: String?, length: Int?) {
        var fields = CGIFields()
        if var value {
            var name = "CONTENT_LENGTH"
            name.withUTF8 { name in value.withUTF8 { fields.add(name: name, value: $0) } }
        }
        #expect(fields.declaredLength == length)
    }

    @Test("cookies and the request id noted while reading the params are what the headers give", arguments: [
        ["HTTP_COOKIE": "a=1; b=2", "HTTP_X_REQUEST_ID": "edge-1"],
        ["HTTP_cookie": "a=3", "HTTP_COOKIE": "a=4", "HTTP_X_Request_Id": "edge-2", "HTTP_X_REQUEST_ID": "edge-3"],
        ["HTTP_X_REQUEST_ID": "ab\r\ncd", "HTTP_COOKIE": "c=\r\n5"],
        ["HTTP_COOKIE": "", "HTTP_X_REQUEST_ID": ""],
        ["HTTP_HOST": "h"],
    ])
    func notedHeaders(headers: [String: String]) {
        var params = headers
        params["REQUEST_METHOD"] = "GET"
        params["REQUEST_URI"] = "/"
        let request = Responder.makeRequest(from: params)
        let reference = Request(method: .get, uri: "/", headers: request.headers)
        #expect(request.cookies["a"] == reference.cookies["a"])
        #expect(request.cookies["c"] == reference.cookies["c"])
        #expect(request.cookies.count == reference.cookies.count)
        if let incoming = request.headers["X-Request-Id"], !incoming.isEmpty {
            #expect(request.id == reference.id)
        } else {
            #expect(request.id.isGeneratedRequestID)
        }
    }

    @Test("a malformed target from nginx is a 400 with a request id")
    func malformedTargetThroughApplication() {
        let client = TestClient { $0.get("/:x") { _, _ in .text("ok") } }
        let response = client.send(Responder.makeRequest(from: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/a%00"]))
        #expect(response.status == .badRequest)
        #expect(response.headers["X-Request-Id"]?.isGeneratedRequestID == true)
    }

    @Test("the head is a Status line, the headers, Content-Length and a blank line")
    func head() {
        let head = Responder.head(of: .text("nope", status: .notFound))
        #expect(String(decoding: head, as: UTF8.self)
            == "Status: 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\n\r\n")
    }

    @Test("no Content-Length for 204 and 304", arguments: [HTTPStatus.noContent, .notModified])
    func noLength(status: HTTPStatus) {
        let head = String(decoding: Responder.head(of: Response(status: status)), as: UTF8.self)
        #expect(head == "Status: \(status.code) \(status.reasonPhrase)\r\n\r\n")
    }

    @Test("a HEAD response keeps GET's Content-Length, once")
    func headResponse() {
        let client = TestClient { $0.get("/") { _, _ in .text("hello world") } }
        let response = client.send(.head, "/")
        let head = String(decoding: Responder.head(of: response), as: UTF8.self)
        #expect(head.hasPrefix("Status: 200 OK\r\n"))
        #expect(head.components(separatedBy: "Content-Length:").count == 2)
        #expect(head.contains("Content-Length: 11\r\n"))
        #expect(response.body.isEmpty)
    }

    @Test("repeated headers are written one per line", arguments: [1, 3])
    func repeated(count: Int) {
        var response = Response(status: .ok)
        for index in 0..<count { response.setCookie(SetCookie(name: "c\(index)", value: "v")) }
        let lines = String(decoding: Responder.head(of: response), as: UTF8.self).split(separator: "\r\n")
        #expect(lines.filter { $0.hasPrefix("Set-Cookie: ") }.count == count)
    }
}
