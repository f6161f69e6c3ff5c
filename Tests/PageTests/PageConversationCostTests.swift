import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// What the conversation page costs the database: a view with nothing unread writes nothing
/// and takes one round trip (the session check riding with the page's reads); one with
/// something unread takes a second, which marks it read.
@Suite("Pages: the conversation page's round trips and writes", .enabled(if: TestEnvironment.runsIntegration))
struct PageConversationCostTests {
    /// Alice and Bob in two conversations; Bob has posted twice in the first and once in the
    /// second, so Alice has three unread messages and three unread notifications.
    struct Scene {
        let alice: PageBrowser
        let bob: PageBrowser
        let aliceID: UUID
        let bobName: String
        let first: String
        let firstID: UUID
        let second: String
    }

    func scene(_ h: APIHarness) throws -> Scene {
        let bobName = uniqueName("bob")
        let bob = PageBrowser(h)
        try bob.signUp(bobName)
        let aliceName = uniqueName("alice")
        let alice = PageBrowser(h)
        try alice.signUp(aliceName)
        var paths: [String] = []
        for title in ["First", "Second"] {
            _ = try alice.get("/conversations/new")
            paths.append(try #require(try alice.post("/conversations/new", [("participants", bobName), ("title", title)]).header("Location")))
        }
        for (path, bodies) in [(paths[0], ["one", "two"]), (paths[1], ["three"])] {
            _ = try bob.get(path)
            for body in bodies { #expect(try bob.post(path + "/messages", [("message_body", body)]).status == 303) }
        }
        let firstID = try #require(UUID(uuidString: String(paths[0].dropFirst("/conversations/".count))))
        return Scene(alice: alice, bob: bob, aliceID: try h.userID(aliceName), bobName: bobName, first: paths[0], firstID: firstID, second: paths[1])
    }

    /// The row versions a view of `conversationID` by `userID` could write: their participant
    /// row, their notifications of it, and their sessions (`xmin` and `ctid` change with every
    /// update).
    func rowVersions(_ h: APIHarness, _ conversationID: UUID, _ userID: UUID) throws -> [String] {
        try h.database.read { connection in
            try connection.query("""
                SELECT 'participant ' || xmin::text || ctid::text FROM conversation_participants
                 WHERE conversation_id = \(conversationID) AND user_id = \(userID)
                UNION ALL
                SELECT 'notification ' || xmin::text || ctid::text FROM notifications
                 WHERE conversation_id = \(conversationID) AND recipient_id = \(userID)
                UNION ALL
                SELECT 'session ' || xmin::text || ctid::text FROM web_sessions WHERE user_id = \(userID)
                ORDER BY 1
                """).decode(String.self)
        }
    }

    @Test("opening a conversation marks it and its notifications read, and the badge counts what is left")
    func marksRead() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (2, 2))
        let page = try s.alice.get(s.first)
        #expect(page.status == 200)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (0, 0))
        #expect(page.text.contains("<span class=\"badge\">1<"), "the second conversation's notification is still unread")
        #expect(page.messageIDs.count == 2)
    }

    @Test("a view with nothing unread writes nothing: no row version changes")
    func nothingUnreadWritesNothing() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        _ = try s.alice.get(s.first)  // marks it read
        let before = try rowVersions(h, s.firstID, s.aliceID)
        #expect(before.count == 4, "a participant row, two notifications and a session: \(before)")
        let again = try s.alice.get(s.first)
        #expect(again.status == 200)
        #expect(again.messageIDs.count == 2)
        #expect(try rowVersions(h, s.firstID, s.aliceID) == before)
    }

    @Test("a view takes one round trip, and a second when it has something to mark read", arguments: [false, true])
    func roundTrips(withUnread: Bool) throws {
        let counter = RoundTripCounter()
        let h = try APIHarness.pages(observer: counter)
        let s = try scene(h)
        if !withUnread {
            _ = try s.alice.get(s.first)  // marks it read
        }
        // The statements are prepared by now (the scene's pages ran them): no PREPARE of its own.
        counter.reset()
        let page = try s.alice.get(s.first)
        #expect(page.status == 200)
        #expect(counter.roundTrips == (withUnread ? 2 : 1), "\(counter.sql)")
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (0, 0))

        // The "earlier messages" page too: its cursor is looked up in the same pipeline.
        let root = try #require(page.messageIDs.last)
        _ = try s.alice.get("\(s.first)?before=\(root)")
        counter.reset()
        let earlier = try s.alice.get("\(s.first)?before=\(root)")
        #expect(earlier.status == 200)
        #expect(earlier.messageIDs == Array(page.messageIDs.dropLast()))
        #expect(counter.roundTrips == 1, "\(counter.sql)")
    }

    @Test("the thread statement leaves participants unnamed for the view's names; a sender the view does not hold is looked up")
    func naming() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        let bobID = try h.userID(s.bobName)
        try h.database.write { connection in
            var page = try PostgresMessageRepository.threadPage(
                connection.query(PostgresMessageRepository.threadPageQuery(conversationID: s.firstID, before: nil, limit: 20, maxDepth: MessageThread.maxDepth)),
                limit: 20)
            #expect(page.messages.count == 2)
            #expect(page.unnamedSenders == [bobID], "Bob is a participant: his name comes with the view")
            #expect(page.messages.allSatisfy { $0.sender.username.isEmpty })
            // As when Bob joined and wrote between the view's statement and the thread's: the
            // view's participants do not hold him, and one more statement names him.
            try ParticipantNames.complete(&page.messages, unnamed: page.unnamedSenders, connection: connection) { _ in nil }
            #expect(page.messages.map(\.sender.username) == [s.bobName, s.bobName])
        }
    }

    @Test("404 for no such conversation or cursor, 403 for an outsider, and none of them marks anything read")
    func refusals() throws {
        let h = try APIHarness.pages()
        let s = try scene(h)
        let outsider = PageBrowser(h)
        try outsider.signUp(uniqueName("eve"))
        #expect(try outsider.get(s.first).status == 403)
        #expect(try s.alice.get("/conversations/\(UUID().uuidString.lowercased())").status == 404)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (2, 2))
        // A message of another conversation is no cursor here: a 404, which shows nothing of this
        // conversation and marks nothing of it read. The page itself then does.
        #expect(try s.alice.get(s.second).status == 200)
        let other = try #require(try s.alice.get(s.second).messageIDs.first)
        #expect(try s.alice.get("\(s.first)?before=\(other)").status == 404)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (2, 2))
        #expect(try s.alice.get(s.first).status == 200)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (0, 0))
    }

    @Test("a viewer with no unread notification: the page neither marks nor counts them, and the badge comes from the session check")
    func noUnreadNotifications() throws {
        let counter = RoundTripCounter()
        let h = try APIHarness.pages(observer: counter)
        let s = try scene(h)
        _ = try s.alice.get(s.first)
        _ = try s.alice.get(s.second)  // both read: nothing of Alice's is unread now
        #expect(try h.count("SELECT count(*)::int FROM notifications WHERE recipient_id = \(s.aliceID) AND read_at IS NULL") == 0)
        _ = try s.alice.get(s.first)  // the statements without the notifications' half, prepared
        counter.reset()
        let page = try s.alice.get(s.first)
        #expect(page.status == 200)
        #expect(counter.roundTrips == 1, "\(counter.sql)")
        #expect(counter.statements == 3, "the session, the conversation and the thread page: \(counter.sql)")
        #expect(!page.text.contains("<span class=\"badge\">"), "no badge with nothing unread")

        // A new message from Bob notifies Alice: the next view marks it read and counts again.
        _ = try s.bob.get(s.first)
        #expect(try s.bob.post(s.first + "/messages", [("message_body", "four")]).status == 303)
        counter.reset()
        let fresh = try s.alice.get(s.first)
        #expect(counter.roundTrips == 2, "\(counter.sql)")
        #expect(counter.statements == 5, "the three, then the read mark and the badge's count: \(counter.sql)")
        #expect(fresh.messageIDs.count == 3)
        #expect(try h.unread(in: s.firstID, of: s.aliceID) == (0, 0))
        #expect(!fresh.text.contains("<span class=\"badge\">"), "marked read in the same view")

        // Another page's badge is the session check's: no statement of its own.
        _ = try s.alice.get("/inbox")
        counter.reset()
        let inbox = try s.alice.get("/inbox")
        #expect(inbox.status == 200)
        #expect(!counter.sql.contains { $0.contains("unread_notification_count), 0) AS total") }, "\(counter.sql)")
    }
}
