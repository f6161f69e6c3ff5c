import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// A GET's token check rides in the handler's first round trip (``DeferredAuthentication``):
/// a token whose user is gone or whose family was revoked must still get only its 401, from
/// every read route and whatever else the request would have answered, and the check must not
/// outlive its request.
@Suite("API: a read's token check rides with the read, and a refused token gets only its 401", .enabled(if: TestEnvironment.runsIntegration))
struct DeferredAuthenticationTests {
    let h: APIHarness
    let other: TestUser

    init() throws {
        h = try messagingHarness()
        other = try h.makeUser()
    }

    /// The reads a client makes with a token, including ones that would fail without it (a
    /// malformed page, someone else's conversation, one that does not exist).
    func reads(_ conversation: String, _ message: String) -> [String] {
        let stranger = try! h.conversation(other, with: [])
        return [
            "/api/conversations/", "/api/conversations/?page=abc", "/api/conversations/?page=9",
            "/api/conversations/\(conversation)/", "/api/conversations/\(stranger)/",
            "/api/conversations/\(conversation)/messages/", "/api/conversations/\(conversation)/messages/?after=\(message)",
            "/api/conversations/\(UUID().uuidString.lowercased())/messages/",
            "/api/messages/", "/api/messages/\(message)/", "/api/messages/\(message)/history/", "/api/messages/\(message)/thread/",
            "/api/notifications/", "/api/users/me/",
        ]
    }

    @Test("after log-out, the access token's every read is the 401 of a revoked family, with nothing read in it")
    func revokedFamily() throws {
        let name = uniqueName("deferred")
        try h.register(username: name)
        let (access, refresh) = try h.login(name)
        let me = try h.request(.get, "/api/users/me/", token: access)
        let user = TestUser(id: UUID(uuidString: me.object["user_id"] as! String)!, username: name, email: "", token: access)
        let conversation = try h.conversation(user, with: [other])
        let message = try h.post("a secret only members read", in: conversation, as: user)["message_id"] as! String
        for uri in reads(conversation, message) where !uri.contains("abc") && !uri.contains("page=9") {
            let status = try h.request(.get, uri, token: access).status
            #expect(status < 500, "\(uri) before log-out: \(status)")
        }
        #expect(try h.request(.get, "/api/conversations/\(conversation)/messages/", token: access).status == 200)

        #expect(try h.request(.post, "/api/token/revoke/", json: ["refresh": refresh]).status == 204)
        for uri in reads(conversation, message) {
            let response = try h.request(.get, uri, token: access)
            #expect(response.status == 401, "\(uri): \(response.status) \(response.text)")
            #expect(response.detail == "Given token not valid for any token type", "\(uri)")
            #expect(!response.text.contains("secret"), "\(uri) leaked what it read")
            #expect(try h.request(.head, uri, token: access).status == 401, "HEAD \(uri)")
        }
        // Nothing was left pending for the next request on this connection.
        let next = try h.request(.get, "/api/conversations/", token: other.token)
        #expect(next.status == 200 && (next.count ?? 0) >= 1)
    }

    @Test("a deleted account's token reads nothing: 401 \"User not found\" on every read")
    func deletedAccount() throws {
        let eve = try h.makeUser()
        let conversation = try h.conversation(eve, with: [other])
        let message = try h.post("eve's last words", in: conversation, as: eve)["message_id"] as! String
        #expect(try h.request(.get, "/api/conversations/", token: eve.token).count == 1)
        try h.database.write { try $0.execute("DELETE FROM users WHERE user_id = \(eve.id)") }
        for uri in reads(conversation, message) {
            let response = try h.request(.get, uri, token: eve.token)
            #expect(response.status == 401, "\(uri): \(response.status) \(response.text)")
            #expect(response.detail == "User not found", "\(uri)")
        }
    }

    @Test("a write with a refused token changes nothing")
    func refusedWrite() throws {
        let eve = try h.makeUser()
        let conversation = try h.conversation(eve, with: [other])
        try h.database.write { try $0.execute("DELETE FROM users WHERE user_id = \(eve.id)") }
        let post = try h.request(.post, "/api/conversations/\(conversation)/messages/", json: BodyOnly(message_body: "after deletion"), token: eve.token)
        #expect(post.status == 401)
        let stored = try h.database.read {
            try $0.query("SELECT count(*) FROM messages WHERE message_body = \("after deletion")").first!.decode(Int.self)
        }
        #expect(stored == 0)
    }
}
