import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The pages as a browser without JavaScript uses them, in process against the real
/// PostgreSQL: forms, 303 redirects, the session cookie, flash messages.
@Suite("Pages: the whole journey", .enabled(if: TestEnvironment.runsIntegration))
struct PageJourneyTests {
    @Test("sign up, log out, log in, converse, reply, edit, history, notifications, delete the account")
    func journey() throws {
        let h = try APIHarness.pages()
        let alice = PageBrowser(h)
        let bob = PageBrowser(h)
        let aliceName = uniqueName("alice")
        let bobName = uniqueName("bob")

        // Sign-up: 303 to the inbox, logged in, with a flash.
        let signedUp = try alice.signUp(aliceName, firstName: "Alice")
        #expect(signedUp.status == 303)
        #expect(signedUp.header("Location") == "/inbox")
        #expect(alice.sessionToken != nil)
        let inbox = try alice.follow(signedUp)
        #expect(inbox.status == 200)
        #expect(inbox.text.contains("Welcome to Parley, Alice!"))
        #expect(inbox.text.contains("No conversations yet."))
        #expect(inbox.text.contains(#"action="/logout""#))
        // The flash is shown once.
        #expect(try !alice.get("/inbox").text.contains("Welcome to Parley"))
        try bob.signUp(bobName, firstName: "Bob")

        // Log out (a POST with the CSRF token), then the inbox asks for a log-in.
        let loggedOut = try alice.logOut()
        #expect(loggedOut.status == 303)
        #expect(loggedOut.header("Location") == "/")
        #expect(alice.sessionToken == nil)
        let landing = try alice.follow(loggedOut)
        #expect(landing.text.contains("You have been logged out."))
        #expect(landing.text.contains(#"href="/signup""#))
        let guarded = try alice.get("/inbox")
        #expect(guarded.status == 303)
        #expect(guarded.header("Location") == "/login?next=%2Finbox")

        // Log in with the email this time.
        let loggedIn = try alice.logIn("\(aliceName)@example.com")
        #expect(loggedIn.status == 303)
        #expect(loggedIn.header("Location") == "/inbox")

        // Start a conversation with Bob.
        _ = try alice.get("/conversations/new")
        let created = try alice.post("/conversations/new", [("participants", "\(bobName), "), ("title", "Lunch plans")])
        #expect(created.status == 303)
        let conversationPath = try #require(created.header("Location"))
        #expect(conversationPath.hasPrefix("/conversations/"))
        let conversationPage = try alice.follow(created)
        #expect(conversationPage.text.contains("<h1>Lunch plans</h1>"))
        #expect(conversationPage.text.contains("Conversation started."))

        // Post, then reply to it.
        let posted = try alice.post(conversationPath + "/messages", [("message_body", "Noodles at noon?")])
        #expect(posted.status == 303)
        let afterPost = try alice.follow(posted)
        #expect(afterPost.text.contains("Noodles at noon?"))
        let firstID = try #require(afterPost.messageIDs.first)
        let replied = try alice.post(conversationPath + "/messages", [("message_body", "Or dumplings."), ("parent_message", firstID)])
        #expect(replied.status == 303)
        let threaded = try alice.follow(replied)
        #expect(threaded.messageIDs.count == 2)
        // The reply sits inside the first message's list of replies.
        let firstItem = try #require(threaded.text.range(of: "id=\"m-\(firstID)\""))
        let replies = try #require(threaded.text.range(of: "<ol class=\"replies\">", range: firstItem.upperBound..<threaded.text.endIndex))
        #expect(threaded.text[replies.upperBound...].contains("Or dumplings."))

        // Edit the first message, then read its history.
        let editForm = try alice.get("/messages/\(firstID)/edit")
        #expect(editForm.status == 200)
        #expect(editForm.text.contains("Noodles at noon?</textarea>"))
        let edited = try alice.post("/messages/\(firstID)/edit", [("message_body", "Noodles at one?")])
        #expect(edited.status == 303)
        let afterEdit = try alice.follow(edited)
        #expect(afterEdit.text.contains("Noodles at one?"))
        #expect(afterEdit.text.contains("href=\"/messages/\(firstID)/history\""))
        let history = try alice.get("/messages/\(firstID)/history")
        #expect(history.status == 200)
        #expect(history.text.contains("Noodles at noon?"))
        #expect(history.text.contains("Noodles at one?"))

        // Bob sees the conversation as unread, and two notifications.
        let bobInbox = try bob.get("/inbox")
        #expect(bobInbox.text.contains("Lunch plans"))
        #expect(bobInbox.text.contains("2<span class=\"visually-hidden\"> unread</span>"))
        let notifications = try bob.get("/notifications")
        #expect(notifications.status == 200)
        #expect(notifications.text.components(separatedBy: "<strong>\(aliceName)</strong> wrote in").count == 3)
        #expect(notifications.text.contains("Lunch plans"))
        // Mark one read, then all.
        let notificationID = try #require(notifications.text.firstMatch(of: /action="\/notifications\/([0-9a-f-]{36})\/read"/).map { String($0.1) })
        let markedOne = try bob.post("/notifications/\(notificationID)/read", [])
        #expect(markedOne.status == 303)
        #expect(try bob.follow(markedOne).text.contains("Notification marked as read."))
        let markedAll = try bob.post("/notifications/read-all", [])
        #expect(try bob.follow(markedAll).text.contains("1 notification marked as read."))
        // Opening the conversation marks it read.
        _ = try bob.get(conversationPath)
        #expect(try !bob.get("/inbox").text.contains("unread</span>"))

        // Bob may read Alice's message but not edit it.
        #expect(try bob.get("/messages/\(firstID)/edit").status == 403)
        #expect(try bob.post("/messages/\(firstID)/edit", [("message_body", "hijacked")]).status == 403)

        // Alice deletes her account: wrong password first, then the right one.
        _ = try alice.get("/account")
        let refused = try alice.post("/account/delete", [("password", "not my password")])
        #expect(refused.status == 200)
        #expect(refused.text.contains("That is not your current password."))
        let aliceID = try h.userID(aliceName)
        let deleted = try alice.post("/account/delete", [("password", "correct horse battery")])
        #expect(deleted.status == 303)
        #expect(deleted.header("Location") == "/")
        #expect(alice.sessionToken == nil)
        #expect(try alice.follow(deleted).text.contains("Your account and everything in it have been deleted."))
        #expect(try h.count("SELECT count(*) FROM users WHERE user_id = \(aliceID)") == 0)
        #expect(try h.count("SELECT count(*) FROM messages WHERE sender_id = \(aliceID)") == 0)
        #expect(try h.count("SELECT count(*) FROM web_sessions WHERE user_id = \(aliceID)") == 0)
        // Bob keeps the conversation, without her messages.
        let bobsView = try bob.get(conversationPath)
        #expect(bobsView.status == 200)
        #expect(!bobsView.text.contains("Noodles"))
    }
}
