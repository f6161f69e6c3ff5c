import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// `Idempotency-Key` on message posts.
@Suite("Idempotency-Key", .enabled(if: TestEnvironment.runsIntegration))
struct IdempotencyTests {
    @Test("a repeat with the same key returns the first response (status and body) and stores nothing new")
    func replay() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let path = "/api/conversations/\(id)/messages/"
        let key = ["Idempotency-Key": "key-\(UUID())"]
        let first = try h.request(.post, path, json: BodyOnly(message_body: "once"), token: alice.token, headers: key)
        #expect(first.status == 201)
        #expect(first.header("Idempotent-Replayed") == nil)
        let again = try h.request(.post, path, json: BodyOnly(message_body: "once"), token: alice.token, headers: key)
        #expect(again.status == 201)
        #expect(again.response.body == first.response.body, "byte for byte the first answer")
        #expect(again.header("Idempotent-Replayed") == "true")
        let conversationID = UUID(uuidString: id)!
        #expect(try h.count("messages", where: "conversation_id = $1", conversationID) == 1)
        #expect(try h.count("notifications", where: "conversation_id = $1", conversationID) == 1)
        // Even after the message was edited, the replay is the original answer.
        let messageID = first.object["message_id"] as! String
        _ = try h.request(.patch, "/api/messages/\(messageID)/", json: BodyOnly(message_body: "edited"), token: alice.token)
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "once"), token: alice.token, headers: key).response.body == first.response.body)
    }

    @Test("the same key with a different body is 422 with a message that says why; nothing stored")
    func differentBody() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let key = ["Idempotency-Key": "k-\(UUID())"]
        _ = try h.post("first", in: id, as: alice, headers: key)
        let other = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "second"), token: alice.token, headers: key)
        #expect(other.status == 422)
        #expect(other.detail?.contains("Idempotency-Key") == true)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 1)
        // Another conversation with the same key is a different request too.
        let second = try h.conversation(alice, with: [])
        #expect(try h.request(.post, "/api/conversations/\(second)/messages/", json: BodyOnly(message_body: "first"), token: alice.token, headers: key).status == 422)
    }

    @Test("keys are per user; without a key every post is new; a bad key header is 400")
    func scope() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let key = ["Idempotency-Key": "shared-\(UUID())"]
        let a = try h.post("same", in: id, as: alice, headers: key)
        let b = try h.post("same", in: id, as: bob, headers: key)
        #expect(a["message_id"] as? String != b["message_id"] as? String)
        _ = try h.post("plain", in: id, as: alice)
        _ = try h.post("plain", in: id, as: alice)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 4)
        let long = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "x"), token: alice.token, headers: ["Idempotency-Key": String(repeating: "k", count: 256)])
        #expect(long.status == 400)
    }

    @Test("hostile keys are just keys", arguments: MessagingSamples.hostile.filter { !$0.contains("\n") && !$0.contains("\r") })
    func hostileKeys(_ key: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let first = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "k"), token: alice.token, headers: ["Idempotency-Key": key])
        #expect(first.status == 201)
        let again = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "k"), token: alice.token, headers: ["Idempotency-Key": key])
        #expect(again.response.body == first.response.body)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 1)
    }

    @Test("a failed first attempt stores no answer: the retry with the same key goes through")
    func failureIsNotStored() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let key = ["Idempotency-Key": "retry-\(UUID())"]
        let bad = try h.request(.post, "/api/conversations/\(id)/messages/", json: NewMessage(message_body: "hi", parent_message: UUID().uuidString), token: alice.token, headers: key)
        #expect(bad.status == 400)
        #expect(try h.count("idempotency_keys", where: "user_id = $1", alice.id) == 0)
        let good = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "hi"), token: alice.token, headers: key)
        #expect(good.status == 201)
    }

    @Test("concurrent repeats: one message, every answer the same")
    func concurrentRepeats() async throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let key = "race-\(UUID())"
        let configuration = h.configuration
        let bodies = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    // Each on its own connection, as separate workers would be.
                    let own = try APIHarness(configuration: configuration)
                    let response = try own.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "race"), token: alice.token, headers: ["Idempotency-Key": key])
                    #expect(response.status == 201)
                    return response.response.body
                }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(Set(bodies.map { Data($0) }).count == 1)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 1)
    }

    @Test("expired keys (older than 24 hours) count as absent and are purged")
    func expiry() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let key = "old-\(UUID())"
        _ = try h.post("yesterday", in: id, as: alice, headers: ["Idempotency-Key": key])
        try h.database.write { connection in
            try connection.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = \(alice.id)")
        }
        let fresh = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "today"), token: alice.token, headers: ["Idempotency-Key": key])
        #expect(fresh.status == 201)
        #expect(fresh.header("Idempotent-Replayed") == nil)
        try h.database.write { connection in
            try connection.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = \(alice.id)")
        }
        let purged = try h.database.write { try PostgresIdempotencyRepository(connection: $0).purgeExpired(limit: 10_000) }
        #expect(purged >= 1)
        #expect(try h.count("idempotency_keys", where: "user_id = $1", alice.id) == 0)
    }
}
