import Foundation
import ParleyTesting
import Testing

/// Conversation membership through the real nginx and `parley serve` that `make test` starts:
/// the two routes over the real socket, and what the member sees before and after.
@Suite("Membership end to end through nginx", .enabled(if: TestEnvironment.runsIntegration))
struct MembershipEndToEndTests {
    static let json = ["Content-Type": "application/json"]

    static func call(_ method: String, _ path: String, as member: EndToEndAccount, body: String? = nil) throws -> CurlResponse {
        var headers = ["Authorization": "Bearer \(member.token)"]
        if body != nil { headers.merge(json) { $1 } }
        return try Curl.request(try TestEnvironment.httpsURL + path, method: method, headers: headers, body: body.map { Array($0.utf8) })
    }

    static func object(_ response: CurlResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test("add a member and remove them over the real socket: the newcomer reads the history and is notified, then gets 403 and loses the conversation")
    func addAndRemove() throws {
        let alice = try EndToEndAccount.register("e2emalice")
        let bob = try EndToEndAccount.register("e2embob")
        let carol = try EndToEndAccount.register("e2emcarol")

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
