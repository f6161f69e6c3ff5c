import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing
import Web

/// `/api/conversations/`: list, create, detail, delete, mark read.
@Suite("Conversations API", .enabled(if: TestEnvironment.runsIntegration))
struct ConversationTests {
    @Test("create: 201 with the caller always included, participants as objects, title, no last message")
    func create() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser(firstName: "Alice", lastName: "A")
        let bob = try h.makeUser(firstName: "Bob", lastName: "B")
        // The caller is added even when not listed; duplicates fold.
        let response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [bob.idString, bob.idString], title: "Trip"), token: alice.token)
        #expect(response.status == 201)
        let object = response.object
        #expect(object["title"] as? String == "Trip")
        #expect(UUID(uuidString: object["conversation_id"] as? String ?? "") != nil)
        #expect(object["created_by"] as? String == alice.idString)
        #expect(object["last_message"] is NSNull)
        #expect(object["unread_count"] as? Int == 0)
        let participants = object["participants"] as? [[String: Any]] ?? []
        #expect(Set(participants.compactMap { $0["user_id"] as? String }) == [alice.idString, bob.idString])
        let bobObject = participants.first { $0["user_id"] as? String == bob.idString }
        #expect(bobObject?["username"] as? String == bob.username)
        #expect(bobObject?["first_name"] as? String == "Bob")
        #expect(bobObject?["last_name"] as? String == "B")
        #expect(Set(bobObject?.keys.map { $0 } ?? []) == ["user_id", "username", "first_name", "last_name"])
        // ISO 8601 with a time zone.
        let created = object["created_at"] as? String ?? ""
        #expect(ISO8601.date(from: created) != nil && created.hasSuffix("Z"))
        // Without the trailing slash too; without a title the title is empty.
        let bare = try h.request(.post, "/api/conversations", json: NewConversation(participant_ids: [bob.idString]), token: alice.token)
        #expect(bare.status == 201)
        #expect(bare.object["title"] as? String == "")
    }

    @Test("create: unknown participant 400 {participant_ids}, malformed UUID 400, missing field 400, anonymous 401", arguments: [
        "unknown", "malformed", "missing", "wrongType", "anonymous", "nul-title", "long-title",
    ])
    func createRefused(_ kind: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let response: TestResponse
        switch kind {
        case "unknown":
            let ghost = UUID().uuidString.lowercased()
            response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [ghost]), token: alice.token)
            #expect(response.fieldErrors("participant_ids").first?.contains(ghost) == true)
        case "malformed":
            response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: ["not-a-uuid"]), token: alice.token)
            #expect(response.fieldErrors("participant_ids").first?.contains("not a valid UUID") == true)
        case "missing":
            response = try h.request(.post, "/api/conversations/", body: Array("{}".utf8), token: alice.token, headers: ["Content-Type": "application/json"])
            #expect(response.fieldErrors("participant_ids") == ["This field is required."])
        case "wrongType":
            response = try h.request(.post, "/api/conversations/", body: Array(#"{"participant_ids": "abc"}"#.utf8), token: alice.token, headers: ["Content-Type": "application/json"])
        case "nul-title":
            response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [], title: "a\u{0}b"), token: alice.token)
            #expect(response.fieldErrors("title") == ["Null characters are not allowed."])
        case "long-title":
            response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [], title: String(repeating: "t", count: 256)), token: alice.token)
            #expect(response.fieldErrors("title").first?.contains("255") == true)
        default:
            response = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: []))
            #expect(response.status == 401)
            return
        }
        #expect(response.status == 400, "\(kind): \(response.text)")
        // Nothing was created.
        #expect(try h.count("conversations", where: "created_by = $1", alice.id) == 0)
    }

    @Test("list: only the caller's conversations, most recent activity first, with last message and unread count")
    func list() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let first = try h.conversation(alice, with: [bob], title: "first")
        let second = try h.conversation(alice, with: [carol], title: "second")
        let foreign = try h.conversation(bob, with: [carol], title: "not alice's")
        try h.post("hello alice", in: first, as: bob)  // first is now the most recent
        try h.post("psst", in: foreign, as: bob)

        let response = try h.request(.get, "/api/conversations/", token: alice.token)
        #expect(response.status == 200)
        #expect(response.count == 2)
        let ids = response.results.compactMap { $0["conversation_id"] as? String }
        #expect(ids == [first, second])
        let top = response.results[0]
        let last = top["last_message"] as? [String: Any]
        #expect(last?["message_body"] as? String == "hello alice")
        #expect((last?["sender"] as? [String: Any])?["user_id"] as? String == bob.idString)
        #expect(top["unread_count"] as? Int == 1)
        #expect(response.results[1]["unread_count"] as? Int == 0)
        #expect(response.results[1]["last_message"] is NSNull)
        // Bob, the sender, has nothing unread in `first`.
        let bobs = try h.request(.get, "/api/conversations/", token: bob.token)
        let bobFirst = bobs.results.first { $0["conversation_id"] as? String == first }
        #expect(bobFirst?["unread_count"] as? Int == 0)
    }

    @Test("list pagination: count, absolute next/previous, page_size cap, page past the end 404")
    func listPagination() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        for index in 0..<5 { _ = try h.conversation(alice, with: [bob], title: "c\(index)") }
        let page1 = try h.request(.get, "/api/conversations/?page_size=2", token: alice.token)
        #expect(page1.count == 5)
        #expect(page1.results.count == 2)
        #expect(page1.previous == nil)
        #expect(page1.next == "https://testserver/api/conversations/?page_size=2&page=2")
        let page3 = try h.request(.get, "/api/conversations/?page_size=2&page=3", token: alice.token)
        #expect(page3.results.count == 1)
        #expect(page3.next == nil)
        #expect(page3.previous == "https://testserver/api/conversations/?page_size=2&page=2")
        let page2 = try h.request(.get, "/api/conversations/?page=2&page_size=2", token: alice.token)
        #expect(page2.previous == "https://testserver/api/conversations/?page_size=2", "page 1 drops the page parameter, as DRF does")
        for bad in ["page=4&page_size=2", "page=0", "page=abc", "page=-1"] {
            let response = try h.request(.get, "/api/conversations/?\(bad)", token: alice.token)
            #expect(response.status == 404, "\(bad)")
            #expect(response.detail == "Invalid page.")
        }
        // page_size is capped at 100.
        for _ in 0..<101 { _ = try h.conversation(alice, with: [], title: nil) }
        let capped = try h.request(.get, "/api/conversations/?page_size=1000", token: alice.token)
        #expect(capped.results.count == 100)
        #expect(capped.count == 106)
        // An empty list is one empty page, not a 404.
        let carol = try h.makeUser()
        let empty = try h.request(.get, "/api/conversations/", token: carol.token)
        #expect(empty.status == 200 && empty.count == 0 && empty.results.isEmpty)
    }

    @Test("list runs the same number of SQL statements for 2 conversations as for 40 (no N+1)")
    func listQueryCountIsBounded() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        func statements(pageSize: Int) throws -> Int {
            let counter = StatementCounter()
            var logger = Logger(label: "count") { _ in counter }
            logger.logLevel = .debug
            let database = PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: logger)
            let request = Request(method: .get, uri: "/api/conversations/?page_size=\(pageSize)",
                                  headers: ["Host": "testserver", "Authorization": "Bearer \(alice.token)"])
            _ = database.ping()  // connect first, so only the request's statements count
            counter.reset()
            let response = h.application.respond(to: request, context: AppContext(request: request, database: database, logger: logger))
            #expect(response.status == .ok)
            return counter.statements
        }
        for index in 0..<2 { try h.post("m\(index)", in: try h.conversation(alice, with: [bob]), as: bob) }
        let few = try statements(pageSize: 2)
        for index in 0..<38 { try h.post("m\(index)", in: try h.conversation(alice, with: [bob]), as: bob) }
        let many = try statements(pageSize: 40)
        #expect(few >= 1, "the counter sees the statements (a pipeline logs one line)")
        #expect(few == many, "\(few) statements for 2 conversations, \(many) for 40")
        #expect(many <= 2, "one pipeline: the user check and the list, which counts too")
    }

    @Test("detail: participants 200; others 403; missing 404; malformed id 404 (not 500)")
    func detail() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let admin = try h.makeUser(role: .admin)
        let id = try h.conversation(alice, with: [bob], title: "private")
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).status == 200)
        let bobs = try h.request(.get, "/api/conversations/\(id)/", token: bob.token)
        #expect(bobs.status == 200)
        #expect(bobs.object["title"] as? String == "private")
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: eve.token).status == 403)
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: admin.token).status == 403)
        #expect(try h.request(.get, "/api/conversations/\(UUID().uuidString)/", token: alice.token).status == 404)
        for malformed in ["nope", "123", "%27%3B%20DROP%20TABLE%20messages%3B%20--", "00000000-0000-0000-0000-00000000000g"] {
            let response = try h.request(.get, "/api/conversations/\(malformed)/", token: alice.token)
            #expect(response.status == 404, "\(malformed)")
            #expect(response.detail != nil)
        }
        // Without the slash, a GET is redirected to the canonical URL.
        let bare = try h.request(.get, "/api/conversations/\(id)", token: alice.token)
        #expect(bare.status == 301)
        #expect(bare.header("Location") == "/api/conversations/\(id)/")
        #expect(try h.request(.get, "/api/conversations/\(id)/").status == 401)
    }

    enum Role: String, CaseIterable { case creator, participant, outsider, admin }

    @Test("delete: creator or admin 204; other participant or outsider 403", arguments: Role.allCases)
    func delete(_ role: Role) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let admin = try h.makeUser(role: .admin)
        let id = try h.conversation(alice, with: [bob])
        try h.post("to be deleted", in: id, as: bob)
        let actor = [Role.creator: alice, .participant: bob, .outsider: eve, .admin: admin][role]!
        let response = try h.request(.delete, "/api/conversations/\(id)", token: actor.token)  // no slash: same handler
        let uuid = UUID(uuidString: id)!
        switch role {
        case .creator, .admin:
            #expect(response.status == 204)
            #expect(response.response.body.isEmpty)
            #expect(try h.count("conversations", where: "conversation_id = $1", uuid) == 0)
            #expect(try h.count("messages", where: "conversation_id = $1", uuid) == 0)
            #expect(try h.count("notifications", where: "conversation_id = $1", uuid) == 0)
            #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).status == 404)
        case .participant, .outsider:
            #expect(response.status == 403)
            #expect(response.detail != nil)
            #expect(try h.count("conversations", where: "conversation_id = $1", uuid) == 1)
        }
        #expect(try h.request(.delete, "/api/conversations/\(UUID())/", token: admin.token).status == 404)
    }

    @Test("mark read: unread_count drops to 0 and the conversation's notifications are read; outsiders 403")
    func markRead() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let eve = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        for index in 0..<3 { try h.post("m\(index)", in: id, as: bob) }
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).object["unread_count"] as? Int == 3)
        let read = try h.request(.post, "/api/conversations/\(id)/read/", token: alice.token)
        #expect(read.status == 200)
        #expect(read.object["unread_count"] as? Int == 0)
        #expect(ISO8601.date(from: read.object["last_read_at"] as? String ?? "") != nil)
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).object["unread_count"] as? Int == 0)
        #expect(try h.request(.get, "/api/notifications/?unread=true", token: alice.token).count == 0)
        try h.post("one more", in: id, as: bob)
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).object["unread_count"] as? Int == 1)
        #expect(try h.request(.post, "/api/conversations/\(id)/read", token: eve.token).status == 403)
        #expect(try h.request(.post, "/api/conversations/\(UUID())/read/", token: alice.token).status == 404)
    }

    @Test("the message and unread counters follow posts, deletes, read marks and account deletion")
    func counters() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob, carol])
        func unread(_ user: TestUser) throws -> Int? {
            try h.request(.get, "/api/conversations/\(id)/", token: user.token).object["unread_count"] as? Int
        }
        func total() throws -> Int? {
            try h.request(.get, "/api/conversations/\(id)/messages/", token: alice.token).count
        }
        for index in 0..<3 { try h.post("bob \(index)", in: id, as: bob) }
        let carols = try h.post("carol", in: id, as: carol)["message_id"] as! String
        #expect(try unread(alice) == 4 && unread(bob) == 1 && unread(carol) == 3)
        #expect(try total() == 4)
        _ = try h.request(.post, "/api/conversations/\(id)/read/", token: alice.token)
        #expect(try unread(alice) == 0)
        try h.post("bob 4", in: id, as: bob)
        #expect(try unread(alice) == 1)
        // Deleting a message read already changes no unread count; an unread one does.
        #expect(try h.request(.delete, "/api/messages/\(carols)/", token: carol.token).status == 204)
        #expect(try unread(alice) == 1 && unread(bob) == 0)
        #expect(try total() == 4)
        // Carol's account goes: her messages leave the counters of everyone else.
        try h.post("carol again", in: id, as: carol)
        #expect(try unread(alice) == 2 && unread(bob) == 1)
        #expect(try h.request(.delete, "/api/users/me/", token: carol.token).status == 204)
        #expect(try unread(alice) == 1 && unread(bob) == 0)
        #expect(try total() == 4)
        // The counters equal a recount, for every participant of the conversation.
        let drift = try h.database.read { connection in
            try connection.query("""
                SELECT count(*) AS wrong FROM conversation_participants p JOIN conversations c USING (conversation_id)
                WHERE p.conversation_id = \(UUID(uuidString: id)!)
                  AND (p.unread_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = p.conversation_id
                                           AND m.sender_id <> p.user_id AND m.sent_at > coalesce(p.last_read_at, '-infinity'))
                       OR c.message_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id))
                """)[0].decode(Int.self, column: "wrong")
        }
        #expect(drift == 0)
    }

    @Test("text fields keep injection strings and unicode exactly", arguments: MessagingSamples.hostile)
    func titleRoundTrip(_ title: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [], title: title)
        let detail = try h.request(.get, "/api/conversations/\(id)/", token: alice.token)
        #expect(detail.object["title"] as? String == title)
        #expect((detail.object["title"] as? String)?.unicodeScalars.elementsEqual(title.unicodeScalars) == true)
    }
}

/// Strings that must stay data: SQL, LIKE wildcards, escapes, markup, and unicode that
/// normalisation or a wrong encoding would change.
enum MessagingSamples {
    static let hostile: [String] = [
        "'; DROP TABLE messages; --",
        "Robert'); DELETE FROM users WHERE ('1'='1",
        "100% _done_ \\ back\\slash",
        "%", "_", "\\", "'", "\"",
        "<script>alert('x')</script>",
        "emoji 👩‍👩‍👧‍👦 🇫🇷 🎉",
        "e\u{301} vs \u{e9}",  // combining acute vs precomposed: both kept as sent
        "مرحبا بالعالم — שלום",  // right to left
        "\u{202E}reversed\u{202C} zero\u{200B}width",
        "line\nbreak\ttab\r\n",
    ]
}

/// Counts the statements a PostgresConnection logs at debug level.
final class StatementCounter: LogHandler, @unchecked Sendable {
    // @unchecked: the counter is a Mutex; the LogHandler properties are only set at creation.
    private let count = Mutex(0)
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if ["query", "slow query"].contains(event.message.description) { count.withLock { $0 += 1 } }
    }

    var statements: Int { count.withLock { $0 } }
    func reset() { count.withLock { $0 = 0 } }
}
