import Foundation
import ParleyTesting
import Testing

/// Conversation membership through the real nginx and `parley serve` that `make test` starts:
/// the two routes over the real socket, and what the member sees before and after.
@Suite("Membership end to end through nginx", .enabled(if: TestEnvironment.runsIntegration))
struct MembershipEndToEndTests {
    /// A user registered and logged in through the API.
    struct Member {
        let id: String
        let username: String
        let token: String
    }

    static let json = ["Content-Type": "application/json"]

    static func member(_ prefix: String) throws -> Member {
        let https = try TestEnvironment.httpsURL
        let name = "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
        let password = "correct horse battery staple"
        let registered = try Curl.request(https + "/api/register/", method: "POST", headers: json, body: Array(
            "{\"username\":\"\(name)\",\"email\":\"\(name)@example.com\",\"password\":\"\(password)\",\"first_name\":\"E\",\"last_name\":\"E\"}".utf8))
        #expect(registered.status == 201, "\(registered.bodyText)")
        let login = try Curl.request(https + "/api/token/", method: "POST", headers: json, body: Array(
            "{\"username\":\"\(name)\",\"password\":\"\(password)\"}".utf8))
        let tokens = try #require(try JSONSerialization.jsonObject(with: Data(login.body)) as? [String: Any])
        let user = try #require(try JSONSerialization.jsonObject(with: Data(registered.body)) as? [String: Any])
        return Member(id: try #require(user["user_id"] as? String), username: name, token: try #require(tokens["access"] as? String))
    }

    static func call(_ method: String, _ path: String, as member: Member, body: String? = nil) throws -> CurlResponse {
        var headers = ["Authorization": "Bearer \(member.token)"]
        if body != nil { headers.merge(json) { $1 } }
        return try Curl.request(try TestEnvironment.httpsURL + path, method: method, headers: headers, body: body.map { Array($0.utf8) })
    }

    static func object(_ response: CurlResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test("add a member and remove them over the real socket: the newcomer reads the history and is notified, then gets 403 and loses the conversation")
    func addAndRemove() throws {
        let alice = try Self.member("e2emalice")
        let bob = try Self.member("e2embob")
        let carol = try Self.member("e2emcarol")

        let created = try Self.call("POST", "/api/conversations/", as: alice, body: #"{"participant_ids": ["\#(bob.id)"], "title": "Over nginx"}"#)
        #expect(created.status == 201)
        let id = try #require(Self.object(created)["conversation_id"] as? String)
        #expect(try Self.call("POST", "/api/conversations/\(id)/messages/", as: bob, body: #"{"message_body": "before carol"}"#).status == 201)
        #expect(try Self.call("GET", "/api/conversations/\(id)/messages/", as: carol).status == 403)

        let added = try Self.call("POST", "/api/conversations/\(id)/participants/", as: alice, body: #"{"user_ids": ["\#(carol.id)"]}"#)
        #expect(added.status == 200, "\(added.bodyText)")
        #expect(added.header("Content-Type") == "application/json")
        let participants = Self.object(added)["participants"] as? [[String: Any]] ?? []
        #expect(participants.compactMap { $0["user_id"] as? String } == [alice.id, bob.id, carol.id])

        let read = try Self.call("GET", "/api/conversations/\(id)/messages/", as: carol)
        #expect(read.status == 200)
        let messages = Self.object(read)["results"] as? [[String: Any]] ?? []
        #expect(messages.compactMap { $0["message_body"] as? String } == ["before carol", "\(alice.username) added \(carol.username)"])
        #expect(messages.last?["kind"] as? String == "member_added")
        #expect(Self.object(try Self.call("GET", "/api/notifications/", as: carol))["count"] as? Int == 1)

        let removed = try Self.call("DELETE", "/api/conversations/\(id)/participants/\(carol.id)/", as: alice)
        #expect(removed.status == 204)
        #expect(removed.body.isEmpty)
        #expect(try Self.call("GET", "/api/conversations/\(id)/messages/", as: carol).status == 403)
        #expect(try Self.call("POST", "/api/conversations/\(id)/messages/", as: carol, body: #"{"message_body": "hello?"}"#).status == 403)
        #expect(Self.object(try Self.call("GET", "/api/conversations/", as: carol))["count"] as? Int == 0)
        let lines = Self.object(try Self.call("GET", "/api/conversations/\(id)/messages/?ordering=-sent_at", as: bob))["results"] as? [[String: Any]]
        #expect(lines?.first?["kind"] as? String == "member_removed")

        // A participant who did not start it cannot remove; then both leave, and it is gone.
        #expect(try Self.call("DELETE", "/api/conversations/\(id)/participants/\(alice.id)/", as: bob).status == 403)
        #expect(try Self.call("DELETE", "/api/conversations/\(id)/participants/\(bob.id)/", as: bob).status == 204)
        #expect(try Self.call("DELETE", "/api/conversations/\(id)/participants/\(alice.id)/", as: alice).status == 204)
        #expect(try Self.call("GET", "/api/conversations/\(id)/", as: alice).status == 404)
    }
}
