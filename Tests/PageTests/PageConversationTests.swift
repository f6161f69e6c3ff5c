import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The conversation pages' reading and posting rules: keyset pages of threads, the limits the
/// API has, friendly 429s.
@Suite("Pages: conversations and limits", .enabled(if: TestEnvironment.runsIntegration))
struct PageConversationTests {
    /// Signs up a user and starts a conversation with `others`; returns its path.
    func start(_ browser: PageBrowser, _ name: String, with others: [String] = [], title: String = "") throws -> String {
        try browser.signUp(name)
        _ = try browser.get("/conversations/new")
        let response = try browser.post("/conversations/new", [("participants", ([name] + others).joined(separator: " ")), ("title", title)])
        return try #require(response.header("Location"))
    }

    @Test("older messages come through an 'Earlier messages' keyset link, oldest first, replies under their parent")
    func keysetPages() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("pager")
        let path = try start(browser, name)
        let conversationID = try #require(UUID(uuidString: String(path.dropFirst("/conversations/".count))))
        let userID = try h.userID(name)
        // 25 top-level messages a second apart, and a reply to the first one, written last.
        let ids: [UUID] = try h.database.write { connection in
            try (0..<25).map { index in
                try connection.query("""
                    INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
                    VALUES (\(conversationID), \(userID), \("message \(index)"), now() - make_interval(secs => \(Double(100 - index))))
                    RETURNING message_id
                    """).first!.decode(UUID.self)
            }
        }
        try h.database.write { connection in
            try connection.execute("""
                INSERT INTO messages (conversation_id, sender_id, parent_message_id, message_body)
                VALUES (\(conversationID), \(userID), \(ids[0]), 'reply to the first')
                """)
            // The latest page reads one top-level message more than it shows, to know that
            // earlier ones exist: that one's replies are not shown either.
            try connection.execute("""
                INSERT INTO messages (conversation_id, sender_id, parent_message_id, message_body)
                VALUES (\(conversationID), \(userID), \(ids[4]), 'reply to the fifth')
                """)
        }

        let latest = try browser.get(path)
        #expect(latest.status == 200)
        #expect(latest.messageIDs == ids[5...].map(\.apiString), "the latest 20, oldest first")
        #expect(!latest.text.contains("reply to the first"))
        #expect(!latest.text.contains("reply to the fifth"))
        let earlier = try #require(latest.link(after: "class=\"pager\""))
        #expect(earlier == "\(path)?before=\(ids[5].apiString)")

        let older = try browser.get(earlier)
        #expect(older.status == 200)
        #expect(older.messageIDs.count == 7, "five top-level messages and the two replies")
        #expect(older.messageIDs.first == ids[0].apiString)
        #expect(Array(older.messageIDs[2..<6]) == ids[1..<5].map(\.apiString), "the reply comes right under its parent")
        #expect(older.text.contains("reply to the first"))
        #expect(older.text.contains("reply to the fifth"))
        #expect(!older.text.contains("↑ Earlier messages"))
        #expect(older.text.contains("Back to the latest messages"))

        #expect(try browser.get("\(path)?before=\(UUID().uuidString.lowercased())").status == 404)
        #expect(try browser.get("\(path)?before=nonsense").status == 404)
    }

    @Test("one form per page: Reply opens it set to answer the message; a reply target not in the conversation is a 404")
    func replyThroughThePageForm() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("replier")
        let path = try start(browser, name)
        #expect(try browser.post(path + "/messages", [("message_body", "first")]).status == 303)
        #expect(try browser.post(path + "/messages", [("message_body", "second")]).status == 303)
        let page = try browser.get(path)
        let ids = page.messageIDs
        #expect(ids.count == 2)
        #expect(page.text.components(separatedBy: "name=\"message_body\"").count == 2, "one message form on the page")
        for id in ids { #expect(page.text.contains("<a class=\"reply-link\" href=\"?reply=\(id)#compose\">Reply")) }
        #expect(!page.text.contains("Cancel reply"))

        let replying = try browser.get("\(path)?reply=\(ids[0])")
        #expect(replying.status == 200)
        #expect(replying.text.contains("<input type=\"hidden\" name=\"parent_message\" value=\"\(ids[0])\">"))
        #expect(replying.text.contains("Your reply to \(name)"))
        #expect(replying.text.contains("<a class=\"cancel-reply\" href=\"\(path)#compose\">Cancel reply</a>"))
        #expect(try browser.post(path + "/messages", [("message_body", "an answer"), ("parent_message", ids[0])]).status == 303)
        let answered = try browser.get(path)
        #expect(answered.messageIDs.count == 3)
        #expect(answered.messageIDs.first == ids[0] && answered.messageIDs.last == ids[1], "the reply sits under the first message")
        let tokens = { (page: TestResponse) in page.text.components(separatedBy: "name=\"csrf_token\"").count }
        #expect(tokens(answered) == tokens(page), "no form, and no CSRF token, per message")

        _ = try browser.get("/conversations/new")
        let other = try #require(try browser.post("/conversations/new", [("participants", name), ("title", "Elsewhere")]).header("Location"))
        #expect(try browser.post(other + "/messages", [("message_body", "over there")]).status == 303)
        let elsewhere = try #require(try browser.get(other).messageIDs.first)
        for target in [elsewhere, UUID().uuidString.lowercased(), "nonsense", "-1"] {
            let refused = try browser.get("\(path)?reply=\(target)")
            #expect(refused.status == 404, "?reply=\(target)")
            #expect(refused.text.contains("The message you want to reply to could not be found."))
        }
        #expect(try browser.get("\(path)?reply=").status == 200, "an empty reply target is the plain page")
    }

    @Test("an empty or too long message shows the form again with the error and the text kept")
    func invalidMessage() throws {
        let h = try APIHarness.pages { $0.messaging.maxBodyLength = 20 }
        let browser = PageBrowser(h)
        let path = try start(browser, uniqueName("invalid"))
        _ = try browser.get(path)
        let blank = try browser.post(path + "/messages", [("message_body", "   ")])
        #expect(blank.status == 200)
        #expect(blank.text.contains("This field may not be blank."))
        let long = try browser.post(path + "/messages", [("message_body", String(repeating: "<b>", count: 10))])
        #expect(long.text.contains("Ensure this field has no more than 20 characters."))
        #expect(long.text.contains(String(repeating: "&lt;b&gt;", count: 10) + "</textarea>"))
    }

    @Test("posting faster than the API's limit gets a friendly 429 page that keeps the message")
    func messageRateLimit() throws {
        let h = try APIHarness.pages { $0.messaging.messageRateLimit = 2 }
        let browser = PageBrowser(h)
        let path = try start(browser, uniqueName("fast"))
        _ = try browser.get(path)
        #expect(try browser.post(path + "/messages", [("message_body", "one")]).status == 303)
        #expect(try browser.post(path + "/messages", [("message_body", "two")]).status == 303)
        let third = try browser.post(path + "/messages", [("message_body", "three & more")])
        #expect(third.status == 429)
        #expect(third.header("Retry-After") != nil)
        #expect(third.text.contains("You’re sending messages quickly"))
        #expect(third.text.contains("three &amp; more</textarea>"))
        #expect(third.text.contains("action=\"\(path)/messages\""))
    }

    @Test("failed log-ins are throttled per account, as through the API, with a friendly 429")
    func loginThrottle() throws {
        let h = try APIHarness.pages { $0.auth.loginFailuresPerAccount = 2 }
        let name = uniqueName("throttle")
        try PageBrowser(h).signUp(name)
        let browser = PageBrowser(h)
        #expect(try browser.logIn(name, password: "wrong password 1").status == 200)
        #expect(try browser.logIn(name, password: "wrong password 2").status == 200)
        let throttled = try browser.logIn(name)
        #expect(throttled.status == 429)
        #expect(throttled.header("Retry-After") != nil)
        #expect(throttled.text.contains("Too many failed log-ins"))
        // The API sees the same counter.
        #expect(try h.request(.post, "/api/token/", json: ["username": name, "password": "correct horse battery"]).status == 429)
    }

    @Test("a new conversation names its participants by username; unknown names are reported")
    func newConversation() throws {
        let h = try APIHarness.pages()
        let bob = uniqueName("bob")
        try PageBrowser(h).signUp(bob)
        let browser = PageBrowser(h)
        try browser.signUp(uniqueName("alice"))
        _ = try browser.get("/conversations/new")
        let empty = try browser.post("/conversations/new", [("participants", " , ")])
        #expect(empty.text.contains("Enter at least one username."))
        let unknown = try browser.post("/conversations/new", [("participants", "\(bob), nobody_\(bob)"), ("title", "Kept")])
        #expect(unknown.text.contains("Nobody is called “nobody_\(bob)”."))
        #expect(unknown.text.contains("value=\"Kept\""))
        let created = try browser.post("/conversations/new", [("participants", "@\(bob.uppercased())")], follow: true)
        #expect(created.status == 200)
        #expect(created.text.contains("<h1>\(bob)</h1>"), "untitled: named after the others")
    }

    @Test("the inbox lists conversations by latest activity with a preview, time and unread count")
    func inbox() throws {
        let h = try APIHarness.pages()
        let bobName = uniqueName("bob")
        let bob = PageBrowser(h)
        try bob.signUp(bobName)
        let alice = PageBrowser(h)
        let first = try start(alice, uniqueName("alice"), with: [bobName], title: "First")
        _ = try alice.get("/conversations/new")
        let second = try #require(try alice.post("/conversations/new", [("participants", bobName), ("title", "Second")]).header("Location"))
        _ = try alice.get(second)
        _ = try alice.post(second + "/messages", [("message_body", "hello in second")])
        _ = try alice.get(first)
        _ = try alice.post(first + "/messages", [("message_body", "line one\nline two")])
        let inbox = try bob.get("/inbox")
        let firstAt = try #require(inbox.text.range(of: ">First<"))
        let secondAt = try #require(inbox.text.range(of: ">Second<"))
        #expect(firstAt.lowerBound < secondAt.lowerBound, "most recent activity first")
        #expect(inbox.text.contains("line one line two"))
        #expect(inbox.text.contains("<time datetime=\""))
        #expect(inbox.text.contains("just now"))
        #expect(inbox.text.contains("1<span class=\"visually-hidden\"> unread</span>"))
    }
}
