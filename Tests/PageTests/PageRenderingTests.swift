import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The pieces of the pages that need no database: times, redirects, error pages, templates,
/// thread nesting.
@Suite("Pages: rendering")
struct PageRenderingTests {
    @Test("every page template is present and parses")
    func templates() throws {
        try TemplateLibrary().require(Pages.templateNames)
    }

    static let relativeCases: [(Double, String)] = [
        (10, "just now"), (90, "2 min ago"), (3540, "59 min ago"), (10_805, "3 h ago"),
        (108_000, "yesterday"), (345_600, "4 days ago"), (3600, "1 h ago"), (600_000, "6 days ago"), (-30, "just now"),
    ]

    @Test("relative times, with the exact UTC time for the tooltip", arguments: relativeCases)
    func relativeTimes(secondsAgo: Double, expected: String) {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(TimeView(now.addingTimeInterval(-secondsAgo), now: now).relative == expected)
    }

    @Test("older times show the date; the ISO and exact forms are UTC")
    func absoluteTimes() {
        let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
        let march = Date(timeIntervalSince1970: 1_773_500_000)  // 2026-03-14 14:53:20 UTC
        let view = TimeView(march, now: now)
        #expect(view.relative == "14 Mar")
        #expect(view.iso == "2026-03-14T14:53:20Z")
        #expect(view.exact == "2026-03-14 14:53:20 UTC")
        #expect(TimeView(Date(timeIntervalSince1970: 1_700_000_000), now: now).relative == "14 Nov 2023")
        #expect(TimeView(Date(timeIntervalSince1970: 1_767_571_200), now: now).relative == "5 Jan")  // 2026-01-05
        #expect(TimeView(Date(timeIntervalSince1970: 915_148_800), now: now).relative == "1 Jan 1999")
        #expect(TimeView(Date(timeIntervalSince1970: -12_000_000_000), now: now).relative == "26 Sep 1589")  // before 1600: the calendar's fields
    }

    @Test("?next= keeps local paths and drops everything else", arguments: [
        ("/inbox", "/inbox"), ("/conversations/x?before=y", "/conversations/x?before=y"),
        ("//evil.example", nil), ("/\\evil.example", nil), ("https://evil.example", nil), ("evil", nil),
        ("/ev il", nil), ("/\u{7f}", nil), ("/é", nil), ("", nil), ("/login", nil), ("/api/users/", nil),
    ] as [(String, String?)])
    func localRedirect(target: String, expected: String?) {
        #expect(LocalRedirect.validated(target) == expected)
    }

    @Test("waits read as people say them")
    func waits() {
        #expect(Wait.describe(1) == "1 second")
        #expect(Wait.describe(42) == "42 seconds")
        #expect(Wait.describe(600) == "10 minutes")
        #expect(Wait.describe(7200) == "2 hours")
    }

    @Test("a 500 page is in the layout and says nothing about the error")
    func internalErrorPage() throws {
        let pages = Pages(templates: try TemplateLibrary(), services: ParleyApplication.services(configuration: .testing(), hasher: PasswordHasher(configuration: AuthConfiguration.testing())))
        let html = pages.errorHTML(.internalServerError, "connection to server at /secret/socket failed", visit: .unknown)
        #expect(html.contains("Something went wrong"))
        #expect(html.contains("/static/style.css"))
        #expect(!html.contains("/secret/socket"))
        let notFound = pages.errorPageRenderer.render(.notFound, "Not found.", Request(method: .get, uri: "/x"))
        #expect(notFound.contains("Page not found"))
        #expect(notFound.contains("href=\"/login\""))
    }

    @Test("a database that is down gives a 503 page in the layout, with Retry-After, the security headers and no detail")
    func databaseDown() throws {
        let application = ParleyApplication.build(configuration: .testing())
        var configuration = PostgresConfiguration(url: "postgresql://parley@/parley?host=/nonexistent-parley-socket-dir&port=1")
        configuration.reconnectAttempts = 1
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let database = PostgresDatabase(configuration: configuration, logger: logger)
        var headers = HTTPHeaders()
        headers["Cookie"] = "__Host-parley_session=" + Base64URL.encode(Sodium.randomBytes(32))
        let request = Request(method: .get, uri: "/inbox", headers: headers, remoteAddress: "127.0.0.1", isSecure: true)
        let response = application.respond(to: request, context: AppContext(request: request, database: database, logger: logger))
        #expect(response.status.code == 503)
        #expect(response.bodyText.contains("Parley is busy"))
        #expect(response.headers["Retry-After"] == "2")
        #expect(!response.bodyText.contains("nonexistent-parley-socket-dir"))
        #expect(response.headers["Content-Security-Policy"]?.contains("script-src 'self'") == true)
    }

    @Test("a malformed path is a 400 page; an unknown method a 405 page with Allow")
    func requestErrors() throws {
        let application = ParleyApplication.build(configuration: .testing())
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: "postgresql://parley@/parley?host=/nonexistent&port=1"), logger: logger)
        let malformed = Request(method: .get, uri: "/%zz", remoteAddress: "127.0.0.1", isSecure: true)
        let bad = application.respond(to: malformed, context: AppContext(request: malformed, database: database, logger: logger))
        #expect(bad.status.code == 400)
        #expect(bad.headers["Content-Type"]?.hasPrefix("text/html") == true)
        let get = Request(method: .get, uri: "/logout", remoteAddress: "127.0.0.1", isSecure: true)
        let notAllowed = application.respond(to: get, context: AppContext(request: get, database: database, logger: logger))
        #expect(notAllowed.status.code == 405, "log-out is a POST, never a link")
        #expect(notAllowed.headers["Allow"] == "POST")
    }

    @Test("replies nest under their parent down to a limit, then list flat, saying whom they answer")
    func nesting() throws {
        let viewer = AuthenticatedUser(id: UUID(), username: "me", role: .guest)
        let conversation = UUID()
        var messages: [Message] = []
        var parent: UUID?
        for depth in 0..<8 {
            let message = Message(
                messageID: UUID(), conversationID: conversation, sender: UserReference(userID: UUID(), username: "u\(depth)"),
                parentMessageID: parent, body: "level \(depth)", sentAt: Date(timeIntervalSince1970: Double(depth)), editedAt: nil)
            messages.append(message)
            parent = message.messageID
        }
        let thread = try #require(MessageThread.build(rootID: messages[0].messageID, from: messages))
        let views = MessageView.tree([thread], viewer: viewer, now: Date())
        var node = views[0]
        var depth = 0
        while node.replies.count == 1, !node.replies[0].isFlattenedReply {
            node = node.replies[0]
            depth += 1
        }
        #expect(depth == MessageView.maxNesting - 1)
        #expect(node.replies.count == 8 - MessageView.maxNesting, "the rest, flat, oldest first")
        #expect(node.replies.map(\.inReplyTo) == (MessageView.maxNesting - 1..<7).map { "u\($0)" })
        #expect(node.replies.allSatisfy { $0.replies.isEmpty })
    }

    @Test("a page of threads: each root's own replies, by time then id, roots in the order asked, unknown roots left out")
    func threadsOfAPage() throws {
        let conversation = UUID()
        let sender = UserReference(userID: UUID(), username: "u")
        func message(_ id: String, parent: UUID?, at second: Double) -> Message {
            Message(
                messageID: UUID(uuidString: id)!, conversationID: conversation, sender: sender, parentMessageID: parent,
                body: id, sentAt: Date(timeIntervalSince1970: second), editedAt: nil)
        }
        let first = message("00000000-0000-4000-8000-00000000000a", parent: nil, at: 1)
        let second = message("00000000-0000-4000-8000-00000000000b", parent: nil, at: 2)
        // Same time: the id decides, as its text sorts ("…0c" before "…f0").
        let late = message("00000000-0000-4000-8000-0000000000f0", parent: first.messageID, at: 5)
        let early = message("00000000-0000-4000-8000-00000000000c", parent: first.messageID, at: 5)
        let oldest = message("00000000-0000-4000-8000-0000000000ff", parent: first.messageID, at: 3)
        let other = message("00000000-0000-4000-8000-00000000000d", parent: second.messageID, at: 4)
        let nested = message("00000000-0000-4000-8000-00000000000e", parent: early.messageID, at: 6)
        let rows = [nested, late, other, second, early, first, oldest]
        let threads = MessageThread.build(rootIDs: [second.messageID, UUID(), first.messageID], from: rows)
        #expect(threads.map(\.message.messageID) == [second.messageID, first.messageID])
        #expect(threads[0].replies.map(\.message.messageID) == [other.messageID])
        #expect(threads[1].replies.map(\.message.messageID) == [oldest.messageID, early.messageID, late.messageID])
        #expect(threads[1].replies[1].replies.map(\.message.messageID) == [nested.messageID])
        #expect(threads[1].count == 5)
        #expect(MessageThread.build(rootID: first.messageID, from: rows) == threads[1], "one root: the same tree")
    }
}
