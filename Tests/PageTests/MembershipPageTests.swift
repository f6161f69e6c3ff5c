import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The members panel of the conversation page, as a browser without JavaScript uses it:
/// CSRF-checked forms, 303s with flash messages, field errors, and what a member who went
/// sees on their next request.
@Suite("Pages: conversation members", .enabled(if: TestEnvironment.runsIntegration))
struct MembershipPageTests {
    /// A signed-up browser and its user (with an API token, for the API side of a test).
    func person(_ h: APIHarness, _ prefix: String) throws -> (PageBrowser, TestUser) {
        let browser = PageBrowser(h)
        let name = uniqueName(prefix)
        try browser.signUp(name)
        let id = try h.userID(name)
        return (browser, TestUser(id: id, username: name, email: "\(name)@example.com", token: h.accessToken(for: id)))
    }

    /// Starts a conversation from the new-conversation form; returns its path.
    func start(_ browser: PageBrowser, _ creator: TestUser, with others: [TestUser], title: String) throws -> String {
        _ = try browser.get("/conversations/new")
        let usernames = ([creator] + others).map(\.username).joined(separator: " ")
        let response = try browser.post("/conversations/new", [("participants", usernames), ("title", title)])
        return try #require(response.header("Location"))
    }

    @Test("the panel lists the members, with remove buttons for the creator alone, the add form and the leave button, each form with its CSRF token")
    func panel() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (bobBrowser, bob) = try person(h, "bob")
        let path = try start(aliceBrowser, alice, with: [bob], title: "Panel")

        let page = try aliceBrowser.get(path)
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains(#"<details class="members card" id="members">"#))
        #expect(html.contains(#"Members <span class="muted">(2)</span>"#))
        #expect(html.contains("<strong>\(alice.username)</strong> <span class=\"muted\">Pat Tester</span> <span class=\"muted\">(you)</span> <span class=\"muted\">· started it</span>"))
        #expect(html.contains(#"<input type="hidden" name="user_id" value="\#(bob.id.apiString)">"#))
        #expect(!html.contains(#"name="user_id" value="\#(alice.id.apiString)""#), "no remove button for oneself: that is the leave button")
        for action in ["\(path)/members/remove", "\(path)/members", "\(path)/leave"] {
            let form = try #require(html.range(of: #"action="\#(action)""#), "\(action)")
            #expect(html[form.upperBound...].prefix(300).contains(#"name="csrf_token" value=""#), "\(action) carries the token")
        }
        #expect(html.contains(#"<input id="usernames" name="usernames" type="text" value="""#))
        #expect(html.contains("Leave this conversation"))
        #expect(!html.contains("leaving deletes it"))

        let bobs = try bobBrowser.get(path).text
        #expect(bobs.contains(#"action="\#(path)/members""#) && bobs.contains(#"action="\#(path)/leave""#))
        #expect(!bobs.contains("/members/remove"), "only the creator (or an admin) removes others")
    }

    @Test("adding by username: 303 to the panel with a flash; the thread shows the line without actions; the newcomer opens it, is notified, and sees it in the inbox")
    func addByUsername() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (_, bob) = try person(h, "bob")
        let (carolBrowser, carol) = try person(h, "carol")
        let path = try start(aliceBrowser, alice, with: [bob], title: "Plans")
        _ = try aliceBrowser.get(path)

        let added = try aliceBrowser.post(path + "/members", [("usernames", "@\(carol.username.uppercased()), \(carol.username)")])
        #expect(added.status == 303)
        #expect(added.header("Location") == path + "#members")
        let page = try aliceBrowser.follow(added)
        #expect(page.text.contains("Added \(carol.username)."))
        #expect(page.text.contains(#"Members <span class="muted">(3)</span>"#))
        let start = try #require(page.text.range(of: #"<li class="message system-line" id="m-"#))
        let end = try #require(page.text[start.upperBound...].range(of: "</li>"))
        let item = page.text[start.lowerBound..<end.upperBound]
        #expect(item.contains("\(alice.username) added \(carol.username)"))
        #expect(!item.contains("Reply") && !item.contains("Edit"), "no actions on a system line")

        let again = try aliceBrowser.post(path + "/members", [("usernames", carol.username)], follow: true)
        #expect(again.text.contains("They are already in this conversation."))
        #expect(try h.count("messages", where: "conversation_id = $1 AND kind = 'member_added'", try #require(UUID(uuidString: String(path.dropFirst("/conversations/".count))))) == 1)

        #expect(try carolBrowser.get(path).status == 200)
        let notifications = try carolBrowser.get("/notifications").text
        #expect(notifications.contains("\(alice.username) added \(carol.username)"))
        #expect(notifications.contains("<strong>\(alice.username)</strong> added you to <a href="), "an addition is not worded as a message written")
        #expect(notifications.contains(">Plans</a>"))
        let inbox = try carolBrowser.get("/inbox").text
        #expect(inbox.contains(#"<p class="conversation-preview">\#(alice.username) added \#(carol.username)</p>"#), "no sender before a system line")
    }

    @Test("an unknown username, or none, is a field error in the open panel with the text kept; nobody is added", arguments: ["unknown", "empty", "tooMany"])
    func addRefused(_ kind: String) throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (_, bob) = try person(h, "bob")
        let path = try start(aliceBrowser, alice, with: [], title: "Refusals")
        _ = try aliceBrowser.get(path)
        let typed = switch kind {
        case "unknown": "\(bob.username) nobody_\(bob.username)"
        case "empty": " , "
        default: (0...50).map { "name\($0)" }.joined(separator: " ")
        }
        let refused = try aliceBrowser.post(path + "/members", [("usernames", typed)])
        #expect(refused.status == 200)
        let expected = switch kind {
        case "unknown": "Nobody is called “nobody_\(bob.username)”."
        case "empty": "Enter at least one username."
        default: "Enter at most 50 usernames at a time."
        }
        #expect(refused.text.contains(#"<ul class="errorlist" id="usernames-errors"><li>\#(expected)</li></ul>"#))
        #expect(refused.text.contains(#"<details class="members card" id="members" open>"#))
        #expect(refused.text.contains(#"value="\#(typed)""#))
        #expect(refused.text.contains(#"aria-invalid="true""#))
        #expect(try h.participantIDs(String(path.dropFirst("/conversations/".count))) == [alice.id])
    }

    @Test("leaving: 303 to the inbox with a flash; gone from the inbox; its page is a 403; the others see the line; the last one out deletes it")
    func leave() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (bobBrowser, bob) = try person(h, "bob")
        let path = try start(aliceBrowser, alice, with: [bob], title: "Short-lived")
        _ = try bobBrowser.get(path)
        let conversationID = try #require(UUID(uuidString: String(path.dropFirst("/conversations/".count))))
        try h.database.write { connection in
            try connection.execute("""
                INSERT INTO messages (conversation_id, sender_id, message_body) VALUES (\(conversationID), \(bob.id), 'bob was here')
                """)
        }

        let left = try bobBrowser.post(path + "/leave", [])
        #expect(left.status == 303)
        #expect(left.header("Location") == "/inbox")
        let inbox = try bobBrowser.follow(left)
        #expect(inbox.text.contains("You left “Short-lived”."))
        #expect(!inbox.text.contains(path))
        let closed = try bobBrowser.get(path)
        #expect(closed.status == 403)
        #expect(closed.text.contains("You can’t open this page"))
        let alicePage = try aliceBrowser.get(path)
        #expect(alicePage.text.contains("\(bob.username) left"))
        #expect(alicePage.text.contains("<span class=\"author\">\(bob.username)</span>"), "who left keeps their name on what they wrote")
        #expect(alicePage.text.contains("You are the only one here: leaving deletes it."))

        let last = try aliceBrowser.post(path + "/leave", [], follow: true)
        #expect(last.text.contains("You left “Short-lived”. You were the last one in it, so it was deleted."))
        #expect(try aliceBrowser.get(path).status == 404)
        #expect(try h.count("conversations", where: "conversation_id = $1", conversationID) == 0)
    }

    @Test("removal: the creator removes from the panel; a participant's attempt is a 403 page; the removed member's open page answers 403 on its next request, posting too")
    func removeFromPanel() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (bobBrowser, bob) = try person(h, "bob")
        let (carolBrowser, carol) = try person(h, "carol")
        let path = try start(aliceBrowser, alice, with: [bob, carol], title: "Removals")
        #expect(try bobBrowser.get(path).status == 200)

        _ = try carolBrowser.get(path)
        let refused = try carolBrowser.post(path + "/members/remove", [("user_id", bob.id.apiString)])
        #expect(refused.status == 403)
        #expect(refused.text.contains("or an admin can remove someone else"))

        _ = try aliceBrowser.get(path)
        let removed = try aliceBrowser.post(path + "/members/remove", [("user_id", bob.id.apiString)])
        #expect(removed.status == 303)
        #expect(removed.header("Location") == path + "#members")
        let page = try aliceBrowser.follow(removed)
        #expect(page.text.contains("Removed \(bob.username) from the conversation."))
        #expect(page.text.contains("\(alice.username) removed \(bob.username)"))

        // Bob's tab is still open on the conversation, with its forms and token.
        let next = try bobBrowser.get(path)
        #expect(next.status == 403)
        #expect(next.header("Content-Type")?.hasPrefix("text/html") == true)
        _ = try bobBrowser.get("/inbox")
        let post = try bobBrowser.post(path + "/messages", [("message_body", "am I still here?")])
        #expect(post.status == 403)
        #expect(try h.count("messages", where: "sender_id = $1", bob.id) == 0)

        #expect(try aliceBrowser.post(path + "/members/remove", [("user_id", "nope")]).status == 400)
        #expect(try aliceBrowser.post(path + "/members/remove", [("user_id", bob.id.apiString)]).status == 404, "no longer in it")
    }

    @Test("removed through the API, a member's open page answers 403 on its next request")
    func removedThroughTheAPI() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (bobBrowser, bob) = try person(h, "bob")
        let path = try start(aliceBrowser, alice, with: [bob], title: "API")
        let id = String(path.dropFirst("/conversations/".count))
        #expect(try bobBrowser.get(path).status == 200)
        #expect(try h.removeParticipant(bob, from: id, as: alice).status == 204)
        #expect(try bobBrowser.get(path).status == 403)
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/", token: bob.token).status == 403)
    }

    @Test("the panel's forms need the CSRF token; a system line has no edit page")
    func csrfAndSystemLines() throws {
        let h = try APIHarness.pages()
        let (aliceBrowser, alice) = try person(h, "alice")
        let (_, bob) = try person(h, "bob")
        let path = try start(aliceBrowser, alice, with: [], title: "Guarded")
        let id = String(path.dropFirst("/conversations/".count))
        _ = try aliceBrowser.get(path)
        #expect(try aliceBrowser.post(path + "/members", [("usernames", bob.username)], csrf: false).status == 403)
        #expect(try aliceBrowser.post(path + "/leave", [], csrf: false).status == 403)
        #expect(try h.participantIDs(id) == [alice.id])

        #expect(try aliceBrowser.post(path + "/members", [("usernames", bob.username)]).status == 303)
        let line = try #require(try h.messages(in: id, as: alice).first { $0.kind == "member_added" }?["message_id"] as? String)
        #expect(try aliceBrowser.get("/messages/\(line)/edit").status == 403)
        _ = try aliceBrowser.get(path)
        #expect(try aliceBrowser.post("/messages/\(line)/edit", [("message_body", "edited")]).status == 403)
    }
}
