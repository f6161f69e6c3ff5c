import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// `POST /api/conversations/{id}/participants/` and `DELETE …/participants/{user_id}/`: who may,
/// what a change writes (system lines, notifications, counters), and what a member who went
/// can no longer do.
@Suite("Conversation membership API", .enabled(if: TestEnvironment.runsIntegration))
struct MembershipTests {
    /// A conversation started by `creator` with `participant`, and the others of the matrix.
    struct Cast {
        let h: APIHarness
        let creator: TestUser
        let participant: TestUser
        let bystander: TestUser
        let stranger: TestUser
        let admin: TestUser
        let newcomer: TestUser
        let id: String

        init(_ h: APIHarness) throws {
            self.h = h
            creator = try h.makeUser()
            participant = try h.makeUser()
            bystander = try h.makeUser()
            stranger = try h.makeUser()
            admin = try h.makeUser(role: .admin)
            newcomer = try h.makeUser()
            id = try h.conversation(creator, with: [participant, bystander])
        }

        func caller(_ role: String) -> TestUser? {
            switch role {
            case "creator": creator
            case "participant": participant
            case "stranger": stranger
            case "admin": admin
            default: nil
            }
        }
    }

    // MARK: - Who may

    @Test("add: any participant may (200); a stranger, or an admin who is not in it, 403; anonymous 401; an unknown or malformed conversation 404",
          arguments: zip(["creator", "participant", "stranger", "admin", "anonymous"], [200, 200, 403, 403, 401]))
    func addPermissions(_ role: String, _ expected: Int) throws {
        let cast = try Cast(try messagingHarness())
        let h = cast.h
        let caller = cast.caller(role)
        let response = try h.addParticipants([cast.newcomer], to: cast.id, as: caller)
        #expect(response.status == expected, "\(role): \(response.text)")
        #expect(try h.participantIDs(cast.id).contains(cast.newcomer.id) == (expected == 200))
        let lines = try h.count("messages", where: "conversation_id = $1 AND kind <> 'message'", UUID(uuidString: cast.id)!)
        #expect(lines == (expected == 200 ? 1 : 0))

        let missing = expected == 401 ? 401 : 404
        #expect(try h.addParticipants([cast.newcomer], to: UUID().uuidString.lowercased(), as: caller).status == missing)
        let malformed = try h.request(.post, "/api/conversations/not-a-uuid/participants/", json: AddParticipants(user_ids: [cast.newcomer.idString]), token: caller?.token)
        #expect(malformed.status == missing)
    }

    @Test("remove: the creator or an admin (in it or not) removes someone else; a participant or a stranger 403; anyone in it leaves; anonymous 401",
          arguments: [
              ("creator", "other", 204), ("participant", "other", 403), ("stranger", "other", 403), ("admin", "other", 204),
              ("anonymous", "other", 401), ("creator", "self", 204), ("participant", "self", 204), ("stranger", "self", 403),
              ("admin", "self", 404),
          ])
    func removePermissions(_ role: String, _ target: String, _ expected: Int) throws {
        let cast = try Cast(try messagingHarness())
        let h = cast.h
        let caller = cast.caller(role)
        let whom = target == "self" ? (caller ?? cast.bystander) : cast.bystander
        let response = try h.removeParticipant(whom, from: cast.id, as: caller)
        #expect(response.status == expected, "\(role) removing \(target): \(response.text)")
        if expected == 204 {
            #expect(response.response.body.isEmpty)
            #expect(!(try h.participantIDs(cast.id).contains(whom.id)))
        } else {
            #expect(try h.participantIDs(cast.id) == [cast.creator.id, cast.participant.id, cast.bystander.id])
        }
        if expected == 403 { #expect(response.detail?.isEmpty == false) }
    }

    @Test("remove: 404 for an unknown or malformed conversation, someone not in it, a malformed user id; 405 without a user id")
    func removeNotFound() throws {
        let cast = try Cast(try messagingHarness())
        let h = cast.h
        #expect(try h.removeParticipant(cast.participant, from: UUID().uuidString.lowercased(), as: cast.creator).status == 404)
        #expect(try h.request(.delete, "/api/conversations/nope/participants/\(cast.participant.idString)/", token: cast.creator.token).status == 404)
        let outsider = try h.removeParticipant(cast.stranger, from: cast.id, as: cast.creator)
        #expect(outsider.status == 404)
        #expect(outsider.detail == "No Participant matches the given query.")
        #expect(try h.removeParticipant(cast.admin, from: cast.id, as: cast.admin).status == 404, "an admin who is not in it cannot leave it")
        #expect(try h.request(.delete, "/api/conversations/\(cast.id)/participants/nope/", token: cast.creator.token).status == 404)
        #expect(try h.request(.delete, "/api/conversations/\(cast.id)/participants/", token: cast.creator.token).status == 405)
        // Without the trailing slash, as every DRF route.
        #expect(try h.request(.delete, "/api/conversations/\(cast.id)/participants/\(cast.bystander.idString)", token: cast.creator.token).status == 204)
        #expect(try h.participantIDs(cast.id) == [cast.creator.id, cast.participant.id])
    }

    // MARK: - Adding

    @Test("add: people in it and repeats are passed over; newcomers see the history, each gets a member_added line and one notification that points at it; the answer is the detail")
    func add() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser(firstName: "Carol", lastName: "C")
        let dave = try h.makeUser()
        let id = try h.conversation(alice, with: [bob], title: "Plans")
        try h.post("before carol", in: id, as: bob)

        // Bob, who did not start it, adds.
        let response = try h.addParticipants([carol, bob, carol, alice, dave], to: id, as: bob)
        #expect(response.status == 200, "\(response.text)")
        let detail = try h.request(.get, "/api/conversations/\(id)/", token: bob.token)
        #expect(NSDictionary(dictionary: response.object) == NSDictionary(dictionary: detail.object), "the detail route's answer")
        let participants = response.object["participants"] as? [[String: Any]] ?? []
        #expect(participants.compactMap { $0["user_id"] as? String } == [alice, bob, carol, dave].map(\.idString), "in the order they joined")
        #expect(participants.first { $0["user_id"] as? String == carol.idString }?["first_name"] as? String == "Carol")

        // Carol reads the history from the start, then the two lines.
        let messages = try h.messages(in: id, as: carol)
        #expect(messages.compactMap { $0["message_body"] as? String } == [
            "before carol", "\(bob.username) added \(carol.username)", "\(bob.username) added \(dave.username)",
        ])
        let lines = Array(messages.dropFirst())
        #expect(messages[0].kind == "message" && messages[0]["member"] is NSNull)
        #expect(lines.map(\.kind) == ["member_added", "member_added"])
        #expect(lines.map(\.senderID) == [bob.idString, bob.idString])
        #expect(lines.map(\.memberID) == [carol.idString, dave.idString])
        #expect((lines[0]["member"] as? [String: Any])?["username"] as? String == carol.username)
        #expect(lines.allSatisfy { $0["parent_message"] is NSNull && $0["edited"] as? Bool == false })
        #expect((detail.object["last_message"] as? [String: Any])?.kind == "member_added")

        // One notification each for the newcomers, pointing at their own line; none for the others.
        let carols = try h.request(.get, "/api/notifications/", token: carol.token)
        #expect(carols.count == 1)
        let notification = try #require(carols.results.first)
        #expect((notification["message"] as? [String: Any])?["message_id"] as? String == lines[0]["message_id"] as? String)
        #expect((notification["message"] as? [String: Any])?["body_preview"] as? String == "\(bob.username) added \(carol.username)")
        #expect(notification.senderID == bob.idString)
        #expect(notification["conversation"] as? String == id)
        let daves = try h.request(.get, "/api/notifications/", token: dave.token)
        #expect(daves.count == 1)
        #expect((daves.results.first?["message"] as? [String: Any])?["message_id"] as? String == lines[1]["message_id"] as? String)
        #expect(try h.request(.get, "/api/notifications/", token: alice.token).count == 1, "only Bob's message")
        #expect(try h.request(.get, "/api/notifications/", token: bob.token).count == 0)

        // Counters: the lines count in the list's count and, for everyone but Bob, as unread:
        // lines from someone else after one's read mark. A newcomer's mark starts as they
        // join, so the history before is not unread for them; both lines came after it.
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/", token: alice.token).count == 3)
        #expect(try h.unreadCount(of: id, for: alice) == 3)
        #expect(try h.unreadCount(of: id, for: bob) == 0)
        #expect(try h.unreadCount(of: id, for: carol) == 2)
        #expect(try h.unreadCount(of: id, for: dave) == 2)
        #expect(try h.request(.post, "/api/conversations/\(id)/read/", token: carol.token).status == 200)
        #expect(try h.unreadCount(of: id, for: carol) == 0)

        // A retry adds nobody and writes nothing.
        let again = try h.addParticipants([carol, dave], to: id, as: bob)
        #expect(again.status == 200)
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 3)
        #expect(try h.count("notifications", where: "recipient_id = $1", carol.id) == 1)
    }

    @Test("add: 400 for a missing, non-list, empty or too long list, a malformed id, a null, an unknown user; nothing changes",
          arguments: ["missing", "notList", "empty", "tooLong", "malformed", "null", "unknown", "unknownAmongKnown"])
    func addRefused(_ kind: String) throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let path = "/api/conversations/\(id)/participants/"
        let json = ["Content-Type": "application/json"]
        let ghost = UUID().uuidString.lowercased()
        let response: TestResponse = switch kind {
        case "missing": try h.request(.post, path, body: Array("{}".utf8), token: alice.token, headers: json)
        case "notList": try h.request(.post, path, body: Array(#"{"user_ids": "abc"}"#.utf8), token: alice.token, headers: json)
        case "empty": try h.request(.post, path, json: AddParticipants(user_ids: []), token: alice.token)
        case "tooLong": try h.request(.post, path, json: AddParticipants(user_ids: (0...50).map { _ in UUID().uuidString }), token: alice.token)
        case "malformed": try h.request(.post, path, json: AddParticipants(user_ids: [bob.idString, "nope"]), token: alice.token)
        case "null": try h.request(.post, path, body: Array(#"{"user_ids": [null]}"#.utf8), token: alice.token, headers: json)
        case "unknown": try h.request(.post, path, json: AddParticipants(user_ids: [ghost]), token: alice.token)
        default: try h.request(.post, path, json: AddParticipants(user_ids: [bob.idString, ghost]), token: alice.token)
        }
        #expect(response.status == 400, "\(kind): \(response.text)")
        let errors = response.object.filter { $0.key.hasPrefix("user_ids") }.flatMap { $0.value as? [String] ?? [] }
        #expect(!errors.isEmpty, "\(kind): \(response.text)")
        switch kind {
        case "missing": #expect(errors == ["This field is required."])
        case "empty": #expect(errors == ["This list may not be empty."])
        case "tooLong": #expect(errors == ["Ensure this field has no more than 50 elements."])
        case "malformed": #expect(errors == ["“nope” is not a valid UUID."])
        case "unknown", "unknownAmongKnown": #expect(errors == ["Invalid pk \"\(ghost)\" - object does not exist."])
        default: break
        }
        #expect(try h.participantIDs(id) == [alice.id])
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 0)
    }

    @Test("add: fifty people at once is the most")
    func addFifty() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let fifty = try (0..<50).map { _ in try h.makeUser() }
        let response = try h.addParticipants(fifty, to: id, as: alice)
        #expect(response.status == 200, "\(response.text)")
        #expect((response.object["participants"] as? [Any])?.count == 51)
        #expect(try h.count("notifications", where: "conversation_id = $1", UUID(uuidString: id)!) == 50)
    }

    // MARK: - Removing and leaving

    @Test("a removed member loses access at once: 403 on the messages, the detail, a message, posting, a replayed key; the conversation leaves their lists; their messages stay with their name; their notifications of it go")
    func removedLosesAccess() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob, carol])
        let key = ["Idempotency-Key": "before-\(UUID())"]
        let mine = try h.post("from carol", in: id, as: carol, headers: key)
        let carolsMessage = try #require(mine["message_id"] as? String)
        try h.post("hello carol", in: id, as: alice)
        #expect(try h.count("notifications", where: "recipient_id = $1", carol.id) == 1)

        #expect(try h.removeParticipant(carol, from: id, as: alice).status == 204)

        for (method, path) in [
            (HTTPMethod.get, "/api/conversations/\(id)/"), (.get, "/api/conversations/\(id)/messages/"),
            (.get, "/api/messages/\(carolsMessage)/"), (.get, "/api/messages/\(carolsMessage)/thread/"),
            (.post, "/api/conversations/\(id)/read/"), (.post, "/api/conversations/\(id)/participants/"),
        ] {
            let response = try h.request(method, path, json: method == .post ? AddParticipants(user_ids: [carol.idString]) : nil, token: carol.token)
            #expect(response.status == 403, "\(method) \(path): \(response.text)")
        }
        #expect(try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "still here?"), token: carol.token).status == 403)
        let replay = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "from carol"), token: carol.token, headers: key)
        #expect(replay.status == 403, "a stored answer is not replayed to someone who went")
        #expect(try h.unreadCount(of: id, for: carol) == nil, "gone from her list")
        #expect(try h.request(.get, "/api/messages/?conversation=\(id)", token: carol.token).count == 0)
        #expect(try h.count("notifications", where: "recipient_id = $1", carol.id) == 0)

        let seen = try h.messages(in: id, as: bob)
        let kept = try #require(seen.first { $0["message_id"] as? String == carolsMessage })
        #expect((kept["sender"] as? [String: Any])?["username"] as? String == carol.username)
        let line = try #require(seen.last)
        #expect(line.kind == "member_removed")
        #expect(line.senderID == alice.idString && line.memberID == carol.idString)
        #expect(line["message_body"] as? String == "\(alice.username) removed \(carol.username)")
        #expect(try h.count("notifications", where: "message_id = $1", UUID(uuidString: line["message_id"] as! String)!) == 0, "nobody is notified of a removal")

        // Added back, she reads it all again.
        #expect(try h.addParticipants([carol], to: id, as: bob).status == 200)
        #expect(try h.messages(in: id, as: carol).count == seen.count + 1)
    }

    @Test("leaving writes a member_left line sent by the one who left; a creator who left can remove nobody")
    func leave() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob, carol])
        #expect(try h.removeParticipant(bob, from: id, as: bob).status == 204)
        let line = try #require(try h.messages(in: id, as: alice).last)
        #expect(line.kind == "member_left")
        #expect(line.senderID == bob.idString && line.memberID == bob.idString)
        #expect(line["message_body"] as? String == "\(bob.username) left")
        #expect(try h.unreadCount(of: id, for: alice) == 1)

        #expect(try h.removeParticipant(alice, from: id, as: alice).status == 204)
        #expect(try h.removeParticipant(carol, from: id, as: alice).status == 403)
        #expect(try h.participantIDs(id) == [carol.id])
        let detail = try h.request(.get, "/api/conversations/\(id)/", token: carol.token)
        #expect(detail.object["created_by"] as? String == alice.idString, "still the one who started it")
    }

    @Test("the last participant leaving deletes the conversation with its messages, lines, edits, notifications and participants")
    func lastOneOut() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let conversationID = UUID(uuidString: id)!
        let first = try h.post("first", in: id, as: alice)
        try h.post("second", in: id, as: bob)
        #expect(try h.request(.patch, "/api/messages/\(first["message_id"] as! String)/", json: BodyOnly(message_body: "first, edited"), token: alice.token).status == 200)
        #expect(try h.addParticipants([carol], to: id, as: bob).status == 200)
        #expect(try h.removeParticipant(carol, from: id, as: alice).status == 204)
        #expect(try h.removeParticipant(bob, from: id, as: bob).status == 204)
        #expect(try h.count("messages", where: "conversation_id = $1", conversationID) == 5)
        #expect(try h.count("notifications", where: "conversation_id = $1", conversationID) == 1, "Alice's, of Bob's message")

        #expect(try h.removeParticipant(alice, from: id, as: alice).status == 204)
        #expect(try h.count("conversations", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("conversation_participants", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("messages", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("notifications", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("message_edits", where: "message_id = $1", UUID(uuidString: first["message_id"] as! String)!) == 0)
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).status == 404)

        // Alone from the start: leaving deletes it too.
        let solo = try h.conversation(carol, with: [])
        #expect(try h.removeParticipant(carol, from: solo, as: carol).status == 204)
        #expect(try h.count("conversations", where: "conversation_id = $1", UUID(uuidString: solo)!) == 0)
    }

    @Test("the last two leaving at the same time delete the conversation, taking turns: no deadlock, no retried transaction")
    func lastTwoAtOnce() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let conversationID = try #require(UUID(uuidString: id))
        try h.post("bye", in: id, as: alice)
        // Each leaves on a connection of its own, as two workers would, while this test holds
        // the conversation row: both requests are under way before either can finish. Unless
        // the changes take turns, each deletes its row while the other's is still there, and
        // they deadlock on each other's rows (PostgreSQL aborts one, which is then retried).
        let log = LogCapture()
        let statuses = try h.concurrently(holding: conversationID, [alice, bob], logger: log.logger) { harness, user, _ in
            try harness.removeParticipant(user, from: id, as: user)
        }
        #expect(statuses == [204, 204])
        let retries = log.text.split(separator: "\n").filter { $0.contains("retrying transaction") }
        #expect(retries.isEmpty, "\(retries)")
        #expect(try h.count("conversations", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("messages", where: "conversation_id = $1", conversationID) == 0)
    }

    // MARK: - System lines

    @Test("a system line cannot be edited (403) or deleted (403), even by whoever made it, nor replied to (400); it reads like a message")
    func systemLinesAreFixed() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        #expect(try h.addParticipants([bob], to: id, as: alice).status == 200)
        let line = try #require(try h.messages(in: id, as: alice).first)
        let lineID = try #require(line["message_id"] as? String)

        let edit = try h.request(.patch, "/api/messages/\(lineID)/", json: BodyOnly(message_body: "alice added nobody"), token: alice.token)
        #expect(edit.status == 403)
        #expect(edit.detail == "This line records a change of membership; it cannot be edited or deleted.")
        #expect(try h.request(.patch, "/api/messages/\(lineID)/", json: BodyOnly(message_body: "x"), token: bob.token).status == 403)
        #expect(try h.request(.delete, "/api/messages/\(lineID)/", token: alice.token).status == 403)
        let reply = try h.request(.post, "/api/conversations/\(id)/messages/", json: NewMessage(message_body: "welcome", parent_message: lineID), token: bob.token)
        #expect(reply.status == 400)
        #expect(reply.fieldErrors("parent_message") == ["A line about membership cannot be replied to."])
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 1)

        let read = try h.request(.get, "/api/messages/\(lineID)/", token: bob.token)
        #expect(read.status == 200)
        #expect(read.object["message_body"] as? String == "\(alice.username) added \(bob.username)")
        #expect(try h.request(.get, "/api/messages/\(lineID)/history/", token: bob.token).array.isEmpty)
        let thread = try h.request(.get, "/api/messages/\(lineID)/thread/", token: bob.token)
        #expect(thread.object.kind == "member_added")
        #expect((thread.object["replies"] as? [Any])?.isEmpty == true)
    }

    // MARK: - Rate limit and idempotency

    @Test("membership changes cost no rate-limit slot; an added member is limited like anyone; a replayed post is not doubled")
    func rateLimitAndIdempotency() throws {
        let h = try messagingHarness { $0.messageRateLimit = 2 }
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        for _ in 0..<3 {
            #expect(try h.addParticipants([carol], to: id, as: alice).status == 200)
            #expect(try h.removeParticipant(carol, from: id, as: alice).status == 204)
        }
        #expect(try h.addParticipants([carol], to: id, as: alice).status == 200)
        let path = "/api/conversations/\(id)/messages/"
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "one"), token: alice.token).status == 201)
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "two"), token: alice.token).status == 201)
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "three"), token: alice.token).status == 429)

        let key = ["Idempotency-Key": "carol-\(UUID())"]
        let first = try h.request(.post, path, json: BodyOnly(message_body: "hello all"), token: carol.token, headers: key)
        #expect(first.status == 201)
        let replay = try h.request(.post, path, json: BodyOnly(message_body: "hello all"), token: carol.token, headers: key)
        #expect(replay.status == 201)
        #expect(replay.header("Idempotent-Replayed") == "true")
        #expect(replay.response.body == first.response.body)
        #expect(try h.request(.post, path, json: BodyOnly(message_body: "again"), token: carol.token).status == 201)
        let limited = try h.request(.post, path, json: BodyOnly(message_body: "and again"), token: carol.token)
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") != nil)
        #expect(try h.count("messages", where: "sender_id = $1 AND kind = 'message'", carol.id) == 2)
        #expect(try h.count("messages", where: "sender_id = $1 AND kind = 'message'", alice.id) == 2)
    }
}
