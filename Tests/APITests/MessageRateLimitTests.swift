import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The message rate limit (PARLEY_MESSAGE_RATE_LIMIT per PARLEY_MESSAGE_RATE_WINDOW_SECONDS),
/// counted in PostgreSQL by the shared RateLimiter.
@Suite("Message rate limit", .enabled(if: TestEnvironment.runsIntegration))
struct MessageRateLimitTests {
    @Test("the default is 5 per 60 s: the sixth post is 429 with Retry-After, and nothing is stored")
    func defaultLimit() throws {
        let h = try APIHarness()  // AppConfiguration.testing(): default limits
        #expect(h.configuration.messaging.messageRateLimit == 5)
        #expect(h.configuration.messaging.messageRateWindow == .seconds(60))
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        for index in 1...5 { try h.post("m\(index)", in: id, as: alice) }
        let refused = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "m6"), token: alice.token)
        #expect(refused.status == 429)
        let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
        #expect((1...120).contains(retryAfter))
        #expect(refused.detail?.contains("throttled") == true)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 5)
        // Per user: Bob still may post.
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "bob"), token: bob.token).status == 201)
        // Reading is not limited.
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/", token: alice.token).status == 200)
    }

    @Test("configurable: a limit of 2 in a 1-second window trips at the third post and lets posts through once the window has passed")
    func configured() throws {
        let h = try messagingHarness { $0.messageRateLimit = 2; $0.messageRateWindow = .seconds(1) }
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        try h.post("1", in: id, as: alice)
        try h.post("2", in: id, as: alice)
        let refused = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "3"), token: alice.token)
        #expect(refused.status == 429)
        #expect(refused.header("Retry-After") != nil)
        Thread.sleep(forTimeInterval: 2.1)  // two windows: the earlier count no longer weighs
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "4"), token: alice.token).status == 201)
    }

    @Test("idempotent replays and refused posts (403, 400) cost nothing")
    func replaysAreFree() throws {
        let h = try messagingHarness { $0.messageRateLimit = 2 }
        let alice = try h.makeUser()
        let eve = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let key = ["Idempotency-Key": "free-\(UUID())"]
        try h.post("once", in: id, as: alice, headers: key)
        for _ in 0..<5 {
            #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "once"), token: alice.token, headers: key).status == 201)
        }
        for _ in 0..<5 {
            #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: " "), token: alice.token).status == 400)
            #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "x"), token: eve.token).status == 403)
        }
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "second"), token: alice.token).status == 201)
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "third"), token: alice.token).status == 429)
    }

    @Test("a refused post stores nothing: with an Idempotency-Key nothing is claimed (the key posts once the window has passed), and a reply to a missing parent is 429, not 400")
    func refusalStoresNothing() throws {
        let h = try messagingHarness { $0.messageRateLimit = 1; $0.messageRateWindow = .seconds(1) }
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let conversation = UUID(uuidString: id)!
        let path = "/api/conversations/\(id)/messages/"
        try h.post("first", in: id, as: alice)
        let key = ["Idempotency-Key": "refused-\(UUID())"]
        let refused = try h.request(.post, path, json: BodyOnly(message_body: "second"), token: alice.token, headers: key)
        #expect(refused.status == 429)
        #expect(refused.header("Retry-After").flatMap(Int.init).map { (1...2).contains($0) } == true)
        #expect(try h.request(.post, path, json: NewMessage(message_body: "reply", parent_message: UUID().uuidString), token: alice.token).status == 429)
        #expect(try h.count("messages", where: "conversation_id = $1", conversation) == 1)
        #expect(try h.count("notifications", where: "conversation_id = $1", conversation) == 1)
        #expect(try h.count("idempotency_keys", where: "user_id = $1", alice.id) == 0)
        Thread.sleep(forTimeInterval: 2.1)  // two windows: the earlier count no longer weighs
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "second"), token: alice.token, headers: key).status == 201)
        #expect(try h.count("messages", where: "conversation_id = $1", conversation) == 2)
        #expect(try h.count("idempotency_keys", where: "user_id = $1", alice.id) == 1)
    }

    @Test("environment: PARLEY_MESSAGE_RATE_LIMIT, PARLEY_MESSAGE_RATE_WINDOW_SECONDS, PARLEY_MESSAGE_MAX_LENGTH; bad values name the variable")
    func environment() throws {
        let configured = try MessagingConfiguration.fromEnvironment([
            "PARLEY_MESSAGE_RATE_LIMIT": "7", "PARLEY_MESSAGE_RATE_WINDOW_SECONDS": "30", "PARLEY_MESSAGE_MAX_LENGTH": "500",
        ])
        #expect(configured.messageRateLimit == 7)
        #expect(configured.messageRateWindow == .seconds(30))
        #expect(configured.maxBodyLength == 500)
        let defaults = try MessagingConfiguration.fromEnvironment([:])
        #expect(defaults.messageRateLimit == 5 && defaults.messageRateWindow == .seconds(60) && defaults.maxBodyLength == 10_000)
        #expect(defaults.closedHours == nil)
        for (key, value) in [("PARLEY_MESSAGE_RATE_LIMIT", "0"), ("PARLEY_MESSAGE_RATE_WINDOW_SECONDS", "soon"), ("PARLEY_MESSAGE_MAX_LENGTH", "-1")] {
            #expect(throws: ConfigurationError.self) { try MessagingConfiguration.fromEnvironment([key: value]) }
            do { _ = try MessagingConfiguration.fromEnvironment([key: value]) } catch { #expect("\(error)".contains(key)) }
        }
    }
}
