import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// `GET /api/messages/:id/thread/`: a message with every descendant as a nested tree.
@Suite("Message threads", .enabled(if: TestEnvironment.runsIntegration))
struct ThreadTests {
    /// `body(replies…)` of a node, recursively: the tree's shape as text.
    static func shape(_ node: [String: Any]) -> String {
        let replies = (node["replies"] as? [[String: Any]] ?? []).map(shape)
        let body = node["message_body"] as? String ?? "?"
        return replies.isEmpty ? body : body + "(" + replies.joined(separator: ",") + ")"
    }

    @Test("the tree: every node carries replies (empty on leaves), children oldest first, any depth, siblings and other threads excluded")
    func treeShape() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let root = try h.post("root", in: id, as: alice)["message_id"] as! String
        let a = try h.post("a", in: id, as: bob, parent: root)["message_id"] as! String
        let b = try h.post("b", in: id, as: alice, parent: root)["message_id"] as! String
        let a1 = try h.post("a1", in: id, as: alice, parent: a)["message_id"] as! String
        try h.post("a1x", in: id, as: bob, parent: a1)
        try h.post("a2", in: id, as: bob, parent: a)
        try h.post("b1", in: id, as: bob, parent: b)
        try h.post("unrelated", in: id, as: bob)

        let response = try h.request(.get, "/api/messages/\(root)/thread/", token: bob.token)
        #expect(response.status == 200)
        #expect(Self.shape(response.object) == "root(a(a1(a1x),a2),b(b1))")
        // Every node is a full message plus replies.
        let first = (response.object["replies"] as? [[String: Any]])?.first
        #expect(first?["parent_message"] as? String == root)
        #expect((first?["sender"] as? [String: Any])?["user_id"] as? String == bob.idString)
        #expect(first?["edited"] as? Bool == false)
        let leaf = ((first?["replies"] as? [[String: Any]])?.last)
        #expect(leaf?["message_body"] as? String == "a2")
        #expect((leaf?["replies"] as? [Any])?.isEmpty == true)
        // A subtree from any node.
        let sub = try h.request(.get, "/api/messages/\(a)/thread", token: alice.token)
        #expect(sub.status == 301, "GET without the slash redirects")
        #expect(Self.shape(try h.request(.get, "/api/messages/\(a)/thread/", token: alice.token).object) == "a(a1(a1x),a2)")
    }

    @Test("a deep chain comes back whole, from one recursive query")
    func deepChain() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        var parent = try h.post("0", in: id, as: alice)["message_id"] as! String
        let root = parent
        for depth in 1...60 { parent = try h.post("\(depth)", in: id, as: alice, parent: parent)["message_id"] as! String }
        var node = try h.request(.get, "/api/messages/\(root)/thread/", token: alice.token).object
        var depth = 0
        while let next = (node["replies"] as? [[String: Any]])?.first {
            depth += 1
            #expect(next["message_body"] as? String == "\(depth)")
            node = next
        }
        #expect(depth == 60)

        // The repository builds it with a single statement.
        let rows = try h.database.read { connection in
            try PostgresMessageRepository(connection: connection).thread(rootID: UUID(uuidString: root)!, maxDepth: MessageThread.maxDepth)
        }
        #expect(rows.count == 61)
    }

    @Test("outsiders 403, unknown 404; the thread of a reply whose parent was deleted starts at the reply")
    func permissionsAndDeletedParent() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let root = try h.post("root", in: id, as: alice)["message_id"] as! String
        let reply = try h.post("reply", in: id, as: bob, parent: root)["message_id"] as! String
        try h.post("reply to reply", in: id, as: alice, parent: reply)
        #expect(try h.request(.get, "/api/messages/\(root)/thread/", token: eve.token).status == 403)
        #expect(try h.request(.get, "/api/messages/\(UUID())/thread/", token: alice.token).status == 404)
        #expect(try h.request(.delete, "/api/messages/\(root)/", token: alice.token).status == 204)
        let orphan = try h.request(.get, "/api/messages/\(reply)/thread/", token: alice.token)
        #expect(Self.shape(orphan.object) == "reply(reply to reply)")
        #expect(orphan.object["parent_message"] is NSNull)
    }
}
