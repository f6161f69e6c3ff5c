import Foundation
import Testing
import Web

@Suite("JSON bodies and responses")
struct JSONTests {
    struct Address: Codable, Sendable {
        var city: String
    }

    struct SignUp: Codable, Sendable {
        var email: String
        var age: Int
        var tags: [String]?
        var address: Address?
        var birthday: Date?
    }

    /// POST /api/signup decodes a ``SignUp`` and echoes it; any failure is the library's answer.
    let client = TestClient { router in
        router.post("/api/signup") { request, _ in
            let signUp = try request.decode(SignUp.self)
            return try .json(signUp, status: .created)
        }
    }

    func post(_ body: String) -> Response { post(Array(body.utf8)) }

    func post(_ body: [UInt8]) -> Response {
        client.send(.post, "/api/signup", headers: ["Content-Type": "application/json"], body: body)
    }

    @Test("a valid body is decoded")
    func decodes() throws {
        let request = Request(method: .post, uri: "/", body: Array(#"{"email":"ada@example.org","age":36,"tags":["x"],"address":{"city":"London"}}"#.utf8))
        let signUp = try request.decode(SignUp.self)
        #expect(signUp.email == "ada@example.org")
        #expect(signUp.age == 36)
        #expect(signUp.tags == ["x"])
        #expect(signUp.address?.city == "London")
        #expect(signUp.birthday == nil)

        let response = post(#"{"email":"ada@example.org","age":36}"#)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json")
        let echoed = try JSONDecoder().decode(SignUp.self, from: Data(response.body))
        #expect(echoed.email == "ada@example.org")
    }

    @Test("unparseable bodies are a 400 with a JSON parse error detail", arguments: [
        (Array(#"{"email":"#.utf8), "JSON parse error - malformed JSON."),
        (Array("not json".utf8), "JSON parse error - malformed JSON."),
        (Array(#"{"email":"a" "age":1}"#.utf8), "JSON parse error - malformed JSON."),
        ([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "JSON parse error - request body is not valid UTF-8."),
        ([0xC3], "JSON parse error - request body is not valid UTF-8."),
        ([], "JSON parse error - request body is empty."),
        (Array("[1, 2]".utf8), "JSON parse error - Incorrect type."),
        (Array("\"just a string\"".utf8), "JSON parse error - Incorrect type."),
        (Array("null".utf8), "JSON parse error - This field may not be null."),
    ] as [([UInt8], String)])
    func parseErrors(body: [UInt8], detail: String) {
        let response = post(body)
        #expect(response.status == .badRequest)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.detail == detail)
    }

    @Test("bodies of the wrong shape are a 400 naming the field", arguments: [
        (#"{"age":30}"#, ["email": ["This field is required."]]),
        (#"{}"#, ["email": ["This field is required."]]),
        (#"{"email":"a@b.c","age":"thirty"}"#, ["age": ["Incorrect type."]]),
        (#"{"email":7,"age":30}"#, ["email": ["Incorrect type."]]),
        (#"{"email":null,"age":30}"#, ["email": ["This field may not be null."]]),
        (#"{"email":"a@b.c","age":30,"tags":["x",2]}"#, ["tags.1": ["Incorrect type."]]),
        (#"{"email":"a@b.c","age":30,"address":{"city":5}}"#, ["address.city": ["Incorrect type."]]),
        (#"{"email":"a@b.c","age":30,"address":{}}"#, ["address.city": ["This field is required."]]),
        (#"{"email":"a@b.c","age":30,"birthday":"2026-01-02T03:04:05"}"#, ["birthday": ["Expected an ISO 8601 date with a time zone."]]),
        (#"{"email":"a@b.c","age":30,"birthday":"yesterday"}"#, ["birthday": ["Expected an ISO 8601 date with a time zone."]]),
    ])
    func fieldErrors(body: String, expected: [String: [String]]) {
        let response = post(body)
        #expect(response.status == .badRequest)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.fieldErrors == expected, "body: \(response.bodyText)")
    }

    @Test("numbers that do not fit the field are a 400, never a 500", arguments: [
        #"{"email":"a@b.c","age":30.5}"#,
        #"{"email":"a@b.c","age":1e400}"#,
        #"{"email":"a@b.c","age":99999999999999999999}"#,
        #"{"email":"a@b.c","age":-1e3000}"#,
    ])
    func numbersOutOfRange(body: String) {
        let response = post(body)
        #expect(response.status == .badRequest)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.detail != nil || response.fieldErrors != nil)
    }

    @Test("dates are decoded from ISO 8601 with a time zone, with or without fractions", arguments: [
        ("2026-11-26T07:45:28Z", 1_795_679_128.0),
        ("2026-11-26T09:45:28+02:00", 1_795_679_128.0),
        ("2026-11-26T07:45:28.250Z", 1_795_679_128.25),
    ])
    func decodesDates(text: String, seconds: Double) throws {
        struct Event: Decodable { var at: Date }
        let request = Request(method: .post, uri: "/", body: Array(#"{"at":"\#(text)"}"#.utf8))
        let event = try request.decode(Event.self)
        #expect(event.at.timeIntervalSince1970 == seconds)
    }

    @Test("Response.json is application/json with ISO 8601 UTC dates and unescaped slashes")
    func encodes() throws {
        struct Message: Encodable {
            var url: String
            var sentAt: Date
        }
        let response = try Response.json(Message(url: "/api/messages/1", sentAt: Date(timeIntervalSince1970: 1_795_679_128.5)))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(object == ["url": "/api/messages/1", "sentAt": "2026-11-26T07:45:28.500Z"])
        #expect(response.bodyText.contains(#""/api/messages/1""#))
    }

    @Test("dates round-trip through JSON")
    func roundTrip() throws {
        struct Stamp: Codable, Equatable { var at: Date }
        let stamp = Stamp(at: Date(timeIntervalSince1970: 1_700_000_000.123))
        let response = try Response.json(stamp)
        let decoded = try Request(method: .post, uri: "/", body: response.body).decode(Stamp.self)
        #expect(abs(decoded.at.timeIntervalSince1970 - stamp.at.timeIntervalSince1970) < 0.001)
    }
}
