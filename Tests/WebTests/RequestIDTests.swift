import Testing
import Web

@Suite("X-Request-Id")
struct RequestIDTests {
    static func makeClient() -> TestClient {
        TestClient { router in
            router.get("/") { _, _ in .text("home") }
            router.get("/boom") { _, _ in throw LeakyError() }
        }
    }

    @Test("every response carries one", arguments: [
        (HTTPMethod.get, "/"), (.head, "/"), (.get, "/missing"), (.post, "/"), (.get, "/boom"), (.get, "/%zz"),
    ])
    func alwaysPresent(method: HTTPMethod, uri: String) {
        let client = Self.makeClient()
        let response = client.send(method, uri)
        let id = response.headers["X-Request-Id"]
        #expect(id?.isGeneratedRequestID == true)
        #expect(client.log.accessLog?.metadata["request_id"] == id)
    }

    @Test("a well-formed incoming id is kept", arguments: [
        "abc-123_DEF.456",
        "0123456789abcdef0123456789abcdef",
        String(repeating: "a", count: 64),
        "x",
    ])
    func keepsIncoming(incoming: String) {
        let client = Self.makeClient()
        let response = client.send(.get, "/", headers: ["X-Request-Id": incoming])
        #expect(response.headers["X-Request-Id"] == incoming)
        #expect(client.log.accessLog?.metadata["request_id"] == incoming)
    }

    @Test("a malformed incoming id is replaced by a generated one", arguments: [
        String(repeating: "a", count: 65),
        "has space",
        "abc\r\nSet-Cookie: admin=1",
        "",
        "id;drop",
        "ünïcode",
        "<script>",
        "a\"b",
    ])
    func replacesMalformed(incoming: String) {
        let response = Self.makeClient().send(.get, "/", headers: ["X-Request-Id": incoming])
        let id = response.headers["X-Request-Id"]
        #expect(id?.isGeneratedRequestID == true)
        #expect(id != incoming)
        #expect(response.headers.values(for: "Set-Cookie").isEmpty)
    }

    @Test("CR or LF makes an id malformed", arguments: ["abc\r\ndef", "abc\ndef", "abc\rdef"])
    func lineBreaks(incoming: String) {
        #expect(RequestID.make(from: incoming).isGeneratedRequestID)
    }

    @Test("ids differ between requests")
    func unique() {
        let client = Self.makeClient()
        let ids = (0..<50).compactMap { _ in client.send(.get, "/").headers["X-Request-Id"] }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 50)
        #expect(Set((0..<1000).map { _ in RequestID.generate() }).count == 1000)
    }
}
