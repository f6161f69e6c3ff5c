import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing
import Web

/// ETag / If-None-Match on the messaging GETs.
@Suite("Conditional GET (ETag)", .enabled(if: TestEnvironment.runsIntegration))
struct ConversationConditionalGETTests {
    @Test("list and detail carry an ETag; If-None-Match with it is 304 without a body; a change makes a new tag",
          arguments: ["/api/conversations/", "/api/conversations/{id}/", "/api/conversations/{id}/messages/", "/api/messages/", "/api/messages/{m}/", "/api/notifications/"])
    func etag(_ template: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let message = try h.post("hello", in: id, as: bob)["message_id"] as! String
        let path = template.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(of: "{m}", with: message)
        let first = try h.request(.get, path, token: alice.token)
        #expect(first.status == 200)
        let tag = try #require(first.header("ETag"))
        #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count == 34)
        #expect(first.header("Cache-Control") == "private, no-cache")
        let again = try h.request(.get, path, token: alice.token)
        #expect(again.header("ETag") == tag, "the same body has the same tag")
        let cached = try h.request(.get, path, token: alice.token, headers: ["If-None-Match": tag])
        #expect(cached.status == 304)
        #expect(cached.response.body.isEmpty)
        #expect(cached.header("ETag") == tag)
        #expect(try h.request(.get, path, token: alice.token, headers: ["If-None-Match": "W/\(tag)"]).status == 304, "weak comparison")
        #expect(try h.request(.get, path, token: alice.token, headers: ["If-None-Match": "\"other\", \(tag)"]).status == 304)
        #expect(try h.request(.get, path, token: alice.token, headers: ["If-None-Match": "\"other\""]).status == 200)
        // Something changes: the tag changes and the old one no longer matches.
        _ = try h.request(.patch, "/api/messages/\(message)/", json: BodyOnly(message_body: "hello, edited"), token: bob.token)
        let changed = try h.request(.get, path, token: alice.token, headers: ["If-None-Match": tag])
        #expect(changed.status == 200)
        #expect(changed.header("ETag") != tag)
        #expect(!changed.response.body.isEmpty)
    }

    @Test("errors and writes carry no ETag")
    func onlySuccessfulReads() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let eve = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: eve.token).header("ETag") == nil)
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "x"), token: alice.token).header("ETag") == nil)
        #expect(try h.request(.get, "/api/conversations/\(UUID())/", token: alice.token).header("ETag") == nil)
    }

    @Test("matching rules", arguments: [
        ("\"abc\"", "\"abc\"", true), ("W/\"abc\"", "\"abc\"", true), ("*", "\"abc\"", true),
        ("\"x\", \"abc\"", "\"abc\"", true), ("\"abcd\"", "\"abc\"", false), ("", "\"abc\"", false),
    ])
    func matching(_ header: String, _ tag: String, _ expected: Bool) {
        #expect(ConditionalGET.matches(header, tag) == expected)
    }
}
