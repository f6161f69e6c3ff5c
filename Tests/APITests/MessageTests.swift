import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// `/api/conversations/:id/messages/` and `/api/messages/…`.
@Suite("Messages API", .enabled(if: TestEnvironment.runsIntegration))
struct MessageTests {
    @Test("post: 201 with the message's fields; the sender is the caller whatever the body says; stored exactly")
    func post() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        struct Spoofed: Encodable { var message_body: String; var sender: String }
        let response = try h.request(.post, "/api/conversations/\(id)/messages/", json: Spoofed(message_body: "  hi  ", sender: bob.idString), token: alice.token)
        #expect(response.status == 201)
        let object = response.object
        #expect(Set(object.keys) == ["message_id", "conversation", "sender", "message_body", "parent_message", "sent_at", "edited", "edited_at", "kind", "member"])
        #expect(object["kind"] as? String == "message")
        #expect(object["member"] is NSNull)
        #expect(UUID(uuidString: object["message_id"] as? String ?? "") != nil)
        #expect(object["conversation"] as? String == id)
        #expect((object["sender"] as? [String: Any])?["user_id"] as? String == alice.idString)
        #expect((object["sender"] as? [String: Any])?["username"] as? String == alice.username)
        #expect(object["message_body"] as? String == "  hi  ", "stored as sent, not trimmed")
        #expect(object["parent_message"] is NSNull)
        #expect(object["edited"] as? Bool == false)
        #expect(object["edited_at"] is NSNull)
        let sentAt = object["sent_at"] as? String ?? ""
        #expect(ISO8601.date(from: sentAt) != nil && sentAt.hasSuffix("Z"))
        // Without the trailing slash, POST reaches the same handler.
        let bare = try h.request(.post, "/api/conversations/\(id)/messages", json: BodyOnly(message_body: "no slash"), token: alice.token)
        #expect(bare.status == 201)
        // The conversation's activity moved.
        let detail = try h.request(.get, "/api/conversations/\(id)/", token: bob.token)
        #expect((detail.object["last_message"] as? [String: Any])?["message_body"] as? String == "no slash")
    }

    @Test("post refusals: blank, whitespace-only, too long, NUL, missing, non-participant, foreign parent, bad ids", arguments: [
        "empty", "whitespace", "tooLong", "nul", "missing", "null", "number", "outsider", "foreignParent", "unknownParent",
        "malformedParent", "unknownConversation", "malformedConversation", "anonymous", "notJSON",
    ])
    func postRefused(_ kind: String) throws {
        let h = try messagingHarness { $0.maxBodyLength = 50 }
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let other = try h.conversation(eve, with: [alice])
        let otherMessage = try h.post("elsewhere", in: other, as: eve)["message_id"] as! String
        let path = "/api/conversations/\(id)/messages/"
        func send(_ json: any Encodable, as user: TestUser? = nil, to target: String? = nil) throws -> TestResponse {
            try h.request(.post, target ?? path, json: json, token: (user ?? alice).token)
        }
        func raw(_ text: String) throws -> TestResponse {
            try h.request(.post, path, body: Array(text.utf8), token: alice.token, headers: ["Content-Type": "application/json"])
        }
        let (response, status, field): (TestResponse, Int, String?) = switch kind {
        case "empty": (try send(BodyOnly(message_body: "")), 400, "message_body")
        case "whitespace": (try send(BodyOnly(message_body: " \n\t\u{3000} ")), 400, "message_body")
        case "tooLong": (try send(BodyOnly(message_body: String(repeating: "é", count: 51))), 400, "message_body")
        case "nul": (try send(BodyOnly(message_body: "a\u{0}b")), 400, "message_body")
        case "missing": (try raw(#"{"parent_message": null}"#), 400, "message_body")
        case "null": (try raw(#"{"message_body": null}"#), 400, "message_body")
        case "number": (try raw(#"{"message_body": 42}"#), 400, "message_body")
        case "notJSON": (try raw("message_body=hi"), 400, nil)
        case "outsider": (try send(BodyOnly(message_body: "let me in"), as: eve), 403, nil)
        case "foreignParent": (try send(NewMessage(message_body: "reply", parent_message: otherMessage)), 400, "parent_message")
        case "unknownParent": (try send(NewMessage(message_body: "reply", parent_message: UUID().uuidString)), 400, "parent_message")
        case "malformedParent": (try send(NewMessage(message_body: "reply", parent_message: "nope")), 400, "parent_message")
        case "unknownConversation": (try send(BodyOnly(message_body: "hi"), to: "/api/conversations/\(UUID())/messages/"), 404, nil)
        case "malformedConversation": (try send(BodyOnly(message_body: "hi"), to: "/api/conversations/xyz/messages/"), 404, nil)
        default: (try h.request(.post, path, json: BodyOnly(message_body: "anon")), 401, nil)
        }
        #expect(response.status == status, "\(kind): \(response.text)")
        if let field { #expect(!response.fieldErrors(field).isEmpty, "\(kind): \(response.text)") } else { #expect(response.detail != nil) }
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 0, "nothing stored")
    }

    @Test("the body limit counts characters, and a body of exactly the limit is accepted")
    func bodyLimit() throws {
        let h = try messagingHarness { $0.maxBodyLength = 10 }
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: String(repeating: "🎉", count: 10)), token: alice.token).status == 201)
        let over = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: String(repeating: "a", count: 11)), token: alice.token)
        #expect(over.fieldErrors("message_body") == ["Ensure this field has no more than 10 characters."])
        // The default is 10,000.
        #expect(MessagingConfiguration().maxBodyLength == 10_000)
    }

    @Test("injection strings and unicode round-trip exactly through post, detail, list and edit", arguments: MessagingSamples.hostile)
    func roundTrip(_ text: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let posted = try h.post(text, in: id, as: alice)
        let messageID = posted["message_id"] as! String
        func same(_ value: Any?) -> Bool { (value as? String)?.unicodeScalars.elementsEqual(text.unicodeScalars) == true }
        #expect(same(posted["message_body"]))
        #expect(same(try h.request(.get, "/api/messages/\(messageID)/", token: bob.token).object["message_body"]))
        #expect(same(try h.request(.get, "/api/conversations/\(id)/messages/", token: bob.token).results.first?["message_body"]))
        let stored = try h.database.read { try $0.query("SELECT message_body FROM messages WHERE message_id = \(UUID(uuidString: messageID)!)")[0].decode(String.self, at: 0) }
        #expect(stored.utf8.elementsEqual(text.utf8), "stored byte for byte")
        let edited = try h.request(.patch, "/api/messages/\(messageID)/", json: BodyOnly(message_body: text + "!"), token: alice.token)
        #expect((edited.object["message_body"] as? String)?.unicodeScalars.elementsEqual((text + "!").unicodeScalars) == true)
        let history = try h.request(.get, "/api/messages/\(messageID)/history/", token: alice.token)
        #expect(same(history.array.first?["old_body"]))
        // As a query parameter value, the same strings are data too: a filter that matches nothing or a 400, never a 500.
        let encoded = URLEncodedForm(pairs: [("sender", text)]).encoded
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/?\(encoded)", token: alice.token).status == 400)
        for name in ["start_date", "end_date", "conversation", "ordering", "before", "after"] {
            let query = URLEncodedForm(pairs: [(name, text)]).encoded
            let status = try h.request(.get, "/api/messages/?\(query)", token: alice.token).status
            #expect([400, 404].contains(status), "\(name)=\(text): \(status)")
        }
        let page = URLEncodedForm(pairs: [("page", text)]).encoded
        #expect(try h.request(.get, "/api/messages/?\(page)", token: alice.token).status == 404)
        let size = URLEncodedForm(pairs: [("page", text), ("page_size", text)]).encoded
        #expect(try h.request(.get, "/api/messages/?\(size)", token: alice.token).status == 400, "a bad page_size is a 400 whatever the page")
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 1, "the table is still there")
    }

    @Test("list: oldest first; ordering=-sent_at newest first; other orderings 400")
    func ordering() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        for index in 1...3 { try h.post("m\(index)", in: id, as: alice) }
        let ascending = try h.request(.get, "/api/conversations/\(id)/messages/", token: alice.token)
        #expect(ascending.results.map { $0["message_body"] as? String } == ["m1", "m2", "m3"])
        let explicit = try h.request(.get, "/api/conversations/\(id)/messages/?ordering=sent_at", token: alice.token)
        #expect(explicit.results.map { $0["message_body"] as? String } == ["m1", "m2", "m3"])
        let descending = try h.request(.get, "/api/conversations/\(id)/messages/?ordering=-sent_at", token: alice.token)
        #expect(descending.results.map { $0["message_body"] as? String } == ["m3", "m2", "m1"])
        for bad in ["message_body", "-message_id", "sent_at;DROP TABLE messages", "random()"] {
            let response = try h.request(.get, "/api/conversations/\(id)/messages/?" + URLEncodedForm(pairs: [("ordering", bad)]).encoded, token: alice.token)
            #expect(response.status == 400, "\(bad)")
            #expect(!response.fieldErrors("ordering").isEmpty)
        }
    }

    @Test("list pagination: default 20, page_size, cap 100, count/next/previous, page past the end 404")
    func pagination() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        try h.seedMessages(130, in: id, from: alice)
        let first = try h.request(.get, "/api/conversations/\(id)/messages/", token: alice.token)
        #expect(first.count == 130)
        #expect(first.results.count == 20)
        #expect(first.previous == nil)
        #expect(first.next == "https://testserver/api/conversations/\(id)/messages/?page=2")
        #expect(first.results.first?["message_body"] as? String == "seeded 1")
        let second = try h.request(.get, try #require(relative(first.next)), token: alice.token)
        #expect(second.results.first?["message_body"] as? String == "seeded 21")
        #expect(second.previous == "https://testserver/api/conversations/\(id)/messages/")
        let capped = try h.request(.get, "/api/conversations/\(id)/messages/?page_size=500", token: alice.token)
        #expect(capped.results.count == 100)
        #expect(capped.next == "https://testserver/api/conversations/\(id)/messages/?page_size=500&page=2")
        let last = try h.request(.get, try #require(relative(capped.next)), token: alice.token)
        #expect(last.results.count == 30)
        #expect(last.next == nil)
        let past = try h.request(.get, "/api/conversations/\(id)/messages/?page=3&page_size=100", token: alice.token)
        #expect(past.status == 404)
        #expect(past.detail == "Invalid page.")
        // Filters are kept in the links.
        let filtered = try h.request(.get, "/api/conversations/\(id)/messages/?sender=\(alice.idString)&page_size=50&ordering=-sent_at", token: alice.token)
        #expect(filtered.next == "https://testserver/api/conversations/\(id)/messages/?sender=\(alice.idString)&page_size=50&ordering=-sent_at&page=2")
        #expect(filtered.results.first?["message_body"] as? String == "seeded 130")
    }

    @Test("keyset cursor: after/before walk the whole list without OFFSET, links carry cursors, both orders")
    func keyset() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        try h.seedMessages(45, in: id, from: alice)
        let all = try h.request(.get, "/api/conversations/\(id)/messages/?page_size=100", token: alice.token).results.map { $0["message_id"] as! String }
        #expect(all.count == 45)

        // Forward from the 10th message, 20 at a time.
        var seen: [String] = []
        var url: String? = "/api/conversations/\(id)/messages/?page_size=20&after=\(all[9])"
        var pages = 0
        while let next = url {
            let page = try h.request(.get, next, token: alice.token)
            #expect(page.status == 200)
            #expect(page.object["count"] == nil, "a cursor page has no count")
            seen += page.results.map { $0["message_id"] as! String }
            if pages == 0 { #expect(page.previous == "https://testserver/api/conversations/\(id)/messages/?page_size=20&before=\(all[10])") }
            url = relative(page.next)
            pages += 1
        }
        #expect(seen == Array(all[10...]))
        #expect(pages == 2)

        // Backward from the 30th: the 20 before it, still oldest first within the page.
        let back = try h.request(.get, "/api/conversations/\(id)/messages/?page_size=20&before=\(all[29])", token: alice.token)
        #expect(back.results.map { $0["message_id"] as! String } == Array(all[9..<29]))
        #expect(back.next == "https://testserver/api/conversations/\(id)/messages/?page_size=20&after=\(all[28])")
        let front = try h.request(.get, try #require(relative(back.previous)), token: alice.token)
        #expect(front.results.map { $0["message_id"] as! String } == Array(all[0..<9]))
        #expect(front.previous == nil)

        // Newest first: "after" continues towards older messages.
        let newest = try h.request(.get, "/api/conversations/\(id)/messages/?ordering=-sent_at&page_size=5&after=\(all[44])", token: alice.token)
        #expect(newest.results.map { $0["message_id"] as! String } == Array(all[39..<44].reversed()))

        // Bad cursors: unknown, malformed, from another conversation, both directions at once.
        let otherConversation = try h.conversation(alice, with: [])
        let foreign = try h.post("x", in: otherConversation, as: alice)["message_id"] as! String
        for bad in ["after=\(UUID())", "after=nope", "before=\(foreign)"] {
            let response = try h.request(.get, "/api/conversations/\(id)/messages/?\(bad)", token: alice.token)
            #expect(response.status == 404, "\(bad)")
            #expect(response.detail == "Invalid cursor.")
        }
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/?after=\(all[0])&before=\(all[5])", token: alice.token).status == 400)
    }

    @Test("the keyset query is an index scan with the cursor in the index condition (EXPLAIN)")
    func keysetUsesTheIndex() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        try h.seedMessages(2_000, in: id, from: alice)
        let conversationID = UUID(uuidString: id)!
        let plan = try h.database.write { connection -> String in
            try connection.execute("ANALYZE messages")
            let (sentAt, messageID) = try connection.query("""
                SELECT sent_at, message_id FROM messages WHERE conversation_id = \(conversationID) ORDER BY sent_at OFFSET 1500 LIMIT 1
                """)[0].decode((Date, UUID).self)
            var filter = MessageFilter()
            filter.conversationID = conversationID
            let seek = PostgresMessageRepository.seekQuery(filter, from: MessageCursor(sentAt: sentAt, messageID: messageID), direction: .ascending, limit: 21)
            return try connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + seek.sql, binds: seek.binds))
                .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        }
        #expect(plan.contains("messages_conversation_sent_idx"), "\(plan)")
        #expect(plan.contains("Index Cond") && plan.contains("ROW("), "\(plan)")
        #expect(!plan.contains("Sort"), "\(plan)")
    }

    @Test("filters: sender, start_date, end_date (ISO 8601 or a date); bad values 400")
    func filters() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        try h.seedMessages(3, in: id, from: alice, start: Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:01Z …
        try h.seedMessages(2, in: id, from: bob, start: Date(timeIntervalSince1970: 1_767_312_000))  // 2026-01-02T00:00:01Z …
        let base = "/api/conversations/\(id)/messages/"
        #expect(try h.request(.get, "\(base)?sender=\(bob.idString)", token: alice.token).count == 2)
        #expect(try h.request(.get, "\(base)?sender=\(UUID())", token: alice.token).count == 0)
        #expect(try h.request(.get, "\(base)?start_date=2026-01-02T00:00:00Z", token: alice.token).count == 2)
        #expect(try h.request(.get, "\(base)?start_date=2026-01-02", token: alice.token).count == 2)
        #expect(try h.request(.get, "\(base)?end_date=2026-01-01", token: alice.token).count == 3, "a bare end date includes that whole day")
        #expect(try h.request(.get, "\(base)?end_date=2026-01-01T00:00:02Z", token: alice.token).count == 2)
        #expect(try h.request(.get, "\(base)?start_date=2026-01-01T01:00:01%2B01:00&end_date=2026-01-01T00:00:03.000Z", token: alice.token).count == 3)
        #expect(try h.request(.get, "\(base)?start_date=2026-01-01T01:00:02+01:00", token: alice.token).count == 4, "an unencoded + is read as +")
        for bad in ["start_date=yesterday", "end_date=2026-13-01", "start_date=2026-01-01T10:00:00", "end_date=1%27%20OR%201=1", "sender=bob"] {
            let response = try h.request(.get, "\(base)?\(bad)", token: alice.token)
            #expect(response.status == 400, "\(bad)")
            let field = String(bad.prefix { $0 != "=" })
            #expect(!response.fieldErrors(field).isEmpty, "\(bad): \(response.text)")
        }
    }

    @Test("GET /api/messages/: only messages of the caller's conversations, with ?conversation= and the other filters")
    func visibleMessages() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let ab = try h.conversation(alice, with: [bob])
        let ae = try h.conversation(alice, with: [eve])
        let be = try h.conversation(bob, with: [eve])
        try h.post("ab1", in: ab, as: alice)
        try h.post("ab2", in: ab, as: bob)
        try h.post("ae1", in: ae, as: eve)
        try h.post("be1", in: be, as: bob)
        let all = try h.request(.get, "/api/messages/", token: alice.token)
        #expect(all.status == 200)
        #expect(all.results.map { $0["message_body"] as? String } == ["ab1", "ab2", "ae1"])
        #expect(try h.request(.get, "/api/messages/?conversation=\(ab)", token: alice.token).count == 2)
        #expect(try h.request(.get, "/api/messages/?conversation=\(be)", token: alice.token).count == 0, "not hers: nothing, not someone else's messages")
        #expect(try h.request(.get, "/api/messages/?sender=\(eve.idString)", token: alice.token).count == 1)
        #expect(try h.request(.get, "/api/messages/?conversation=abc", token: alice.token).status == 400)
        #expect(try h.request(.get, "/api/messages/?ordering=-sent_at&page_size=1", token: alice.token).results.first?["message_body"] as? String == "ae1")
        #expect(try h.request(.get, "/api/messages/").status == 401)
    }

    enum Actor: String, CaseIterable { case sender, participant, outsider, admin }

    @Test("detail, edit, delete, history: the permission matrix", arguments: Actor.allCases)
    func permissions(_ actor: Actor) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let admin = try h.makeUser(role: .admin)
        let id = try h.conversation(alice, with: [bob])
        let messageID = try h.post("original", in: id, as: alice)["message_id"] as! String
        let user = [Actor.sender: alice, .participant: bob, .outsider: eve, .admin: admin][actor]!
        let path = "/api/messages/\(messageID)/"
        let canRead = actor == .sender || actor == .participant
        let canWrite = actor == .sender
        #expect(try h.request(.get, path, token: user.token).status == (canRead ? 200 : 403))
        #expect(try h.request(.get, path + "history/", token: user.token).status == (canRead ? 200 : 403))
        #expect(try h.request(.get, path + "thread/", token: user.token).status == (canRead ? 200 : 403))
        let edit = try h.request(.patch, path, json: BodyOnly(message_body: "changed"), token: user.token)
        #expect(edit.status == (canWrite ? 200 : 403))
        let delete = try h.request(.delete, path, token: user.token)
        #expect(delete.status == (canWrite ? 204 : 403))
        let remaining = try h.count("messages", where: "message_id = $1", UUID(uuidString: messageID)!)
        #expect(remaining == (canWrite ? 0 : 1))
        if !canWrite {
            #expect(try h.database.read { try $0.query("SELECT message_body FROM messages WHERE message_id = \(UUID(uuidString: messageID)!)")[0].decode(String.self, at: 0) } == "original")
        }
    }

    @Test("missing and malformed message ids are 404 for every message route")
    func missing() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        for id in [UUID().uuidString, "nope", "%00", "1%20OR%201%3D1"] {
            for (method, suffix) in [(HTTPMethod.get, ""), (.patch, ""), (.delete, ""), (.get, "history/"), (.get, "thread/")] {
                let response = try h.request(method, "/api/messages/\(id)/\(suffix)", json: method == .patch ? BodyOnly(message_body: "x") : nil, token: alice.token)
                #expect([404, 400].contains(response.status), "\(method) \(id)/\(suffix): \(response.status)")
                #expect(response.status != 500)
            }
        }
    }

    @Test("edit: 200 with edited true and edited_at; the earlier bodies are the history, oldest first")
    func editAndHistory() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let messageID = try h.post("v1", in: id, as: alice)["message_id"] as! String
        let first = try h.request(.patch, "/api/messages/\(messageID)/", json: BodyOnly(message_body: "v2"), token: alice.token)
        #expect(first.status == 200)
        #expect(first.object["message_body"] as? String == "v2")
        #expect(first.object["edited"] as? Bool == true)
        let editedAt = try #require(first.object["edited_at"] as? String)
        #expect(ISO8601.date(from: editedAt) != nil)
        _ = try h.request(.patch, "/api/messages/\(messageID)", json: BodyOnly(message_body: "v3"), token: alice.token)  // no slash
        // The same body again records nothing.
        _ = try h.request(.patch, "/api/messages/\(messageID)/", json: BodyOnly(message_body: "v3"), token: alice.token)
        // A null body is refused; an absent one changes nothing.
        let null = try h.request(.patch, "/api/messages/\(messageID)/", body: Array(#"{"message_body": null}"#.utf8), token: alice.token, headers: ["Content-Type": "application/json"])
        #expect(null.status == 400)
        #expect(null.fieldErrors("message_body") == ["This field may not be null."])
        let empty = try h.request(.patch, "/api/messages/\(messageID)/", body: Array("{}".utf8), token: alice.token, headers: ["Content-Type": "application/json"])
        #expect(empty.status == 200 && empty.object["message_body"] as? String == "v3")
        // A blank edit is refused like a blank post.
        let blank = try h.request(.patch, "/api/messages/\(messageID)/", json: BodyOnly(message_body: "   "), token: alice.token)
        #expect(blank.status == 400)
        #expect(!blank.fieldErrors("message_body").isEmpty)
        let history = try h.request(.get, "/api/messages/\(messageID)/history/", token: bob.token)
        #expect(history.status == 200)
        #expect(history.array.map { $0["old_body"] as? String } == ["v1", "v2"])
        let entry = history.array[0]
        #expect((entry["edited_by"] as? [String: Any])?["user_id"] as? String == alice.idString)
        #expect(ISO8601.date(from: entry["edited_at"] as? String ?? "") != nil)
        let detail = try h.request(.get, "/api/messages/\(messageID)/", token: bob.token)
        #expect(detail.object["message_body"] as? String == "v3")
        #expect(detail.object["edited"] as? Bool == true)
        // An unedited message has an empty history.
        let fresh = try h.post("never edited", in: id, as: bob)["message_id"] as! String
        #expect(try h.request(.get, "/api/messages/\(fresh)/history/", token: alice.token).array.isEmpty)
    }

    @Test("delete: 204, the message, its edits and its notifications go; replies stay as top-level messages")
    func deleteKeepsReplies() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let root = try h.post("root", in: id, as: alice)["message_id"] as! String
        let reply = try h.post("reply", in: id, as: bob, parent: root)["message_id"] as! String
        _ = try h.request(.patch, "/api/messages/\(root)/", json: BodyOnly(message_body: "root v2"), token: alice.token)
        let response = try h.request(.delete, "/api/messages/\(root)", token: alice.token)
        #expect(response.status == 204)
        let rootID = UUID(uuidString: root)!
        #expect(try h.count("message_edits", where: "message_id = $1", rootID) == 0)
        #expect(try h.count("notifications", where: "message_id = $1", rootID) == 0)
        let kept = try h.request(.get, "/api/messages/\(reply)/", token: bob.token)
        #expect(kept.status == 200)
        #expect(kept.object["parent_message"] is NSNull)
        #expect(try h.request(.get, "/api/messages/\(root)/", token: alice.token).status == 404)
    }
}
