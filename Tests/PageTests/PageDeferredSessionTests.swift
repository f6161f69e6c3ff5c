import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The conversation page's session check rides with the page's read (``DeferredSession``).
/// What a user relies on: a session that is over gets the log-in page there as everywhere,
/// its view reads and marks nothing, and a live one is kept alive by its views.
@Suite("Pages: the session check in the conversation page's read", .enabled(if: TestEnvironment.runsIntegration))
struct PageDeferredSessionTests {
    struct Scene {
        let alice: PageBrowser
        let aliceID: UUID
        let hash: String
        let path: String
        let conversationID: UUID
    }

    /// Alice and Bob in a conversation in which Bob has written once: Alice has one unread
    /// message and one unread notification in it.
    func scene(_ h: APIHarness) throws -> Scene {
        let bobName = uniqueName("bob")
        let bob = PageBrowser(h)
        try bob.signUp(bobName)
        let aliceName = uniqueName("alice")
        let alice = PageBrowser(h)
        try alice.signUp(aliceName)
        _ = try alice.get("/conversations/new")
        let path = try #require(try alice.post("/conversations/new", [("participants", bobName), ("title", "Deferred")]).header("Location"))
        _ = try bob.get(path)
        #expect(try bob.post(path + "/messages", [("message_body", "one")]).status == 303)
        let id = try #require(UUID(uuidString: String(path.dropFirst("/conversations/".count))))
        return Scene(
            alice: alice, aliceID: try h.userID(aliceName), hash: Sodium.sha256Hex(try #require(alice.sessionToken)), path: path,
            conversationID: id)
    }

    enum Ending: String, CaseIterable {
        case loggedOutElsewhere, idle, expired
    }

    func end(_ h: APIHarness, _ s: Scene, _ ending: Ending) throws {
        try h.database.write { connection in
            switch ending {
            case .loggedOutElsewhere: try connection.execute("DELETE FROM web_sessions WHERE token_hash = \(s.hash)")
            case .idle: try connection.execute("UPDATE web_sessions SET last_seen_at = now() - interval '3 hours' WHERE token_hash = \(s.hash)")
            case .expired: try connection.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = \(s.hash)")
            }
        }
    }

    @Test("a session that is over gets the log-in page, its cookie deleted, and its view marks nothing read", arguments: Ending.allCases)
    func endedSession(_ ending: Ending) throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        try end(h, s, ending)
        let page = try s.alice.get(s.path)
        #expect(page.status == 303)
        #expect(page.header("Location")?.hasPrefix("/login?next=") == true, "\(page.header("Location") ?? "")")
        #expect(!page.text.contains("one"), "nothing of the conversation")
        #expect(s.alice.setCookieHeader(SessionCookies.session) != nil, "the dead cookie is deleted")
        #expect(s.alice.sessionToken == nil)
        #expect(try h.unread(in: s.conversationID, of: s.aliceID) == (1, 1))
    }

    @Test("with a session that is over, a page the handler refuses before reading is the log-in page too")
    func endedSessionBadCursor() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        #expect(try s.alice.get("\(s.path)?before=nonsense").status == 404, "live: the cursor's 404")
        try end(h, s, .loggedOutElsewhere)
        let page = try s.alice.get("\(s.path)?before=nonsense")
        #expect(page.status == 303)
        #expect(page.header("Location")?.hasPrefix("/login") == true)
    }

    @Test("a live session's view is one round trip with nothing unread, and keeps the session alive")
    func liveSession() throws {
        let counter = RoundTripCounter()
        let h = try APIHarness.pages(observer: counter)
        let s = try scene(h)
        #expect(try s.alice.get(s.path).status == 200)  // marks it read
        #expect(try h.unread(in: s.conversationID, of: s.aliceID) == (0, 0))
        counter.reset()
        let page = try s.alice.get(s.path)
        #expect(page.status == 200)
        #expect(page.text.contains("one"))
        #expect(counter.roundTrips == 1, "\(counter.sql)")

        // Seen ten minutes ago (past the 60 s touch interval): the view moves it to now.
        try h.database.write { try $0.execute("UPDATE web_sessions SET last_seen_at = now() - interval '10 minutes' WHERE token_hash = \(s.hash)") }
        #expect(try s.alice.get(s.path).status == 200)
        let age = try h.database.read { connection in
            try #require(try connection.query("SELECT extract(epoch FROM now() - last_seen_at)::float8 FROM web_sessions WHERE token_hash = \(s.hash)").first)
                .decode(Double.self)
        }
        #expect(age < 5)
    }

    @Test("a process that has not seen the session checks it first, then carries the check")
    func unseenSession() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        // Another process (its own application, the same database) gets Alice's cookie.
        let counter = RoundTripCounter()
        let other = try APIHarness.pages(observer: counter)
        let browser = PageBrowser(other)
        browser.setCookie(SessionCookies.session, try #require(s.alice.sessionToken))
        let first = try browser.get(s.path)
        #expect(first.status == 200)
        #expect(first.text.contains("one"))
        #expect(counter.sql.first?.contains("web_sessions") == true, "the session check alone first: \(counter.sql)")
        #expect(try h.unread(in: s.conversationID, of: s.aliceID) == (0, 0))
        counter.reset()
        #expect(try browser.get(s.path).status == 200)
        #expect(counter.roundTrips == 1, "\(counter.sql)")

        // Logged out through the first process: the second one's next view is refused.
        _ = try s.alice.logOut()
        let refused = try browser.get(s.path)
        #expect(refused.status == 303)
        #expect(refused.header("Location")?.hasPrefix("/login") == true)
    }
}
