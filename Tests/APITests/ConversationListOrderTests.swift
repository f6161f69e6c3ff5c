import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// The conversation list's order and totals, which read migration 0017's per-participant copy
/// of each conversation's last activity: the copy must follow every change of
/// conversations.last_message_at, and the list must read as it did when it sorted conversations.
@Suite("Conversation list order", .enabled(if: TestEnvironment.runsIntegration))
struct ConversationListOrderTests {
    @Test("posts in several conversations reorder every participant's list; pages split it without gaps")
    func orderFollowsPosts() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let c1 = try h.conversation(alice, with: [bob], title: "1")
        let c2 = try h.conversation(alice, with: [carol], title: "2")
        let c3 = try h.conversation(alice, with: [bob, carol], title: "3")
        let c4 = try h.conversation(bob, with: [carol], title: "4")
        // Newest first before any message: creation order.
        #expect(try listed(h, alice) == [c3, c2, c1])
        try h.post("to 2", in: c2, as: carol)
        try h.post("to 1", in: c1, as: alice)
        try h.post("to 4", in: c4, as: bob)
        #expect(try listed(h, alice) == [c1, c2, c3])
        #expect(try listed(h, bob) == [c4, c1, c3])
        #expect(try listed(h, carol) == [c4, c2, c3])
        try h.post("to 3", in: c3, as: bob)
        #expect(try listed(h, alice) == [c3, c1, c2])
        #expect(try listed(h, carol) == [c3, c4, c2])
        // Pages of one: the same order, one at a time, and the count on each.
        var paged: [String] = []
        for page in 1...3 {
            let response = try h.request(.get, "/api/conversations/?page_size=1&page=\(page)", token: alice.token)
            #expect(response.count == 3)
            paged += response.results.compactMap { $0["conversation_id"] as? String }
        }
        #expect(paged == [c3, c1, c2])
        // DRF's links: null (present, not omitted) where there is no other page.
        let first = try h.request(.get, "/api/conversations/?page_size=2", token: alice.token).object
        #expect((first["next"] as? String)?.hasSuffix("/api/conversations/?page_size=2&page=2") == true)
        #expect(first["previous"] is NSNull)
        let whole = try h.request(.get, "/api/conversations/", token: alice.token).object
        #expect(whole["next"] is NSNull && whole["previous"] is NSNull && whole["count"] as? Int == 3)
        // The last message is the one just posted, with its sender.
        let top = try h.request(.get, "/api/conversations/", token: carol.token).results.first
        let last = top?["last_message"] as? [String: Any]
        #expect(last?["message_body"] as? String == "to 3")
        #expect(last?.senderID == bob.idString)
        try expectCopiesMatch(h, [c1, c2, c3, c4])
    }

    @Test("equal last activity: the higher conversation id first, on every page")
    func tieBreak() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let ids = try (0..<4).map { _ in try h.conversation(alice, with: []) }
        let same = Date(timeIntervalSince1970: 1_800_000_000)
        try h.database.write { connection in
            try connection.execute("UPDATE conversations SET last_message_at = \(same) WHERE conversation_id = ANY(\(ids.compactMap(UUID.init(uuidString:))))")
        }
        // PostgreSQL orders uuids by their bytes, which is the order of their lowercase hex text.
        let expected = ids.sorted(by: >)
        #expect(try listed(h, alice) == expected)
        let second = try h.request(.get, "/api/conversations/?page_size=2&page=2", token: alice.token)
        #expect(second.results.compactMap { $0["conversation_id"] as? String } == Array(expected.suffix(2)))
        try expectCopiesMatch(h, ids)
    }

    @Test("a member added or leaving moves the conversation up; the new member's list has it, the leaver's not")
    func orderFollowsMembership() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let old = try h.conversation(alice, with: [bob], title: "old")
        let newer = try h.conversation(alice, with: [bob], title: "newer")
        let carols = try h.conversation(carol, with: [], title: "carol's")
        try h.post("latest", in: newer, as: bob)
        #expect(try listed(h, alice) == [newer, old])
        // Adding carol writes a system line in `old`: it is the latest activity everywhere.
        #expect(try h.addParticipants([carol], to: old, as: alice).status == 200)
        #expect(try listed(h, alice) == [old, newer])
        #expect(try listed(h, bob) == [old, newer])
        #expect(try listed(h, carol) == [old, carols])
        try expectCopiesMatch(h, [old, newer, carols])
        // Then a post elsewhere, and bob leaving `newer` (another system line) brings it back up.
        try h.post("after the add", in: carols, as: carol)
        #expect(try listed(h, carol) == [carols, old])
        #expect(try h.removeParticipant(bob, from: newer, as: bob).status == 204)
        #expect(try listed(h, alice) == [newer, old])
        #expect(try listed(h, bob) == [old])
        let bobs = try h.request(.get, "/api/conversations/", token: bob.token)
        #expect(bobs.count == 1)
        let top = try h.request(.get, "/api/conversations/", token: alice.token).results.first
        #expect((top?["last_message"] as? [String: Any])?.kind == "member_left")
        try expectCopiesMatch(h, [old, newer, carols])
    }

    @Test("participants in the order they joined, then by username, in the list and the detail")
    func participantOrder() throws {
        let h = try messagingHarness()
        let users = try (0..<4).map { _ in try h.makeUser() }
        let byName = users.sorted { $0.username < $1.username }
        let creator = byName[3]
        let created = try h.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [byName[1], byName[0], byName[2]].map(\.idString)), token: creator.token)
        #expect(created.status == 201)
        let id = try #require(created.object["conversation_id"] as? String)
        let conversationID = try #require(UUID(uuidString: id))
        // Joined in reverse name order: the join time decides.
        let joinOrder = [byName[3], byName[2], byName[1], byName[0]]
        try h.database.write { connection in
            for (index, user) in joinOrder.enumerated() {
                try connection.execute("""
                    UPDATE conversation_participants SET joined_at = '2026-01-01T00:00:00Z'::timestamptz + \(index) * interval '1 minute'
                    WHERE conversation_id = \(conversationID) AND user_id = \(user.id)
                    """)
            }
        }
        try expectParticipants(h, id, as: creator, joinOrder.map(\.idString))
        // All joined at once: by username.
        try h.database.write { connection in
            try connection.execute("UPDATE conversation_participants SET joined_at = '2026-01-01T00:00:00Z' WHERE conversation_id = \(conversationID)")
        }
        try expectParticipants(h, id, as: creator, byName.map(\.idString))
        // Names and ids stay together.
        let first = try h.request(.get, "/api/conversations/\(id)/", token: creator.token).object["participants"] as? [[String: Any]]
        #expect(first?.first?["username"] as? String == byName[0].username)
        #expect(first?.first?["first_name"] as? String == "Test" && first?.first?["last_name"] as? String == "User")
    }

    @Test("the copy follows every path that sets last_message_at: post, delete, system lines, demo timeline, any UPDATE; new rows take it")
    func copyStaysRight() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let a = try h.conversation(alice, with: [bob])
        let b = try h.conversation(alice, with: [bob])
        let ids = [a, b]
        try expectCopiesMatch(h, ids)  // creation (the rows are inserted after the conversation)
        let posted = try h.post("one", in: a, as: alice)
        try expectCopiesMatch(h, ids)
        // A delete leaves last_message_at (the last activity) as it was; the copy with it.
        #expect(try h.request(.delete, "/api/messages/\(posted["message_id"] as? String ?? "")", token: alice.token).status == 204)
        try expectCopiesMatch(h, ids)
        _ = try h.addParticipants([carol], to: b, as: alice)
        try expectCopiesMatch(h, ids)
        _ = try h.removeParticipant(carol, from: b, as: alice)
        try expectCopiesMatch(h, ids)
        // The demo seed's timeline rewrites last_message_at straight in SQL.
        let aID = try #require(UUID(uuidString: a))
        try PostgresDemoTimelineRepository(database: h.database).spread(DemoTimeline(conversations: [(aID, 600)]))
        try expectCopiesMatch(h, ids)
        #expect(try listed(h, alice) == [b, a], "a was moved ten hours back")
        // Any UPDATE, and one that moves several conversations at once.
        try h.database.write { connection in
            try connection.execute("UPDATE conversations SET last_message_at = last_message_at + interval '1 day' WHERE conversation_id = ANY(\(ids.compactMap(UUID.init(uuidString:))))")
        }
        try expectCopiesMatch(h, ids)
        #expect(try listed(h, alice) == [b, a])
        // A participant row inserted by hand (not through the service) takes its conversation's value.
        let dave = try h.makeUser()
        try h.database.write { connection in
            try connection.execute("INSERT INTO conversation_participants (conversation_id, user_id) VALUES (\(aID), \(dave.id))")
        }
        try expectCopiesMatch(h, ids)
        #expect(try listed(h, dave) == [a])
    }

    @Test("each conversation's copy of its last message (migration 0027) follows posts, replies, edits, deletes, system lines, a deleted parent, the demo timeline and a deleted account; the list shows it")
    func lastMessageCopyStaysRight() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let a = try h.conversation(alice, with: [bob])
        let b = try h.conversation(alice, with: [bob, carol])
        let ids = [a, b]
        try expectLastMessagesMatch(h, ids)  // no message yet: no copy
        #expect(try lastListed(h, alice, a) == nil)
        let first = try h.post("first", in: a, as: alice)
        let firstID = try #require(first["message_id"] as? String)
        let second = try h.post("second", in: a, as: bob, parent: firstID)
        let secondID = try #require(second["message_id"] as? String)
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, alice, a)?["message_body"] as? String == "second")
        #expect(try lastListed(h, alice, a)?["parent_message"] as? String == firstID)
        // An edit of the last message, then of an earlier one (which leaves the copy as it is).
        #expect(try h.request(.patch, "/api/messages/\(secondID)/", json: BodyOnly(message_body: "second, edited"), token: bob.token).status == 200)
        try expectLastMessagesMatch(h, ids)
        let edited = try lastListed(h, alice, a)
        #expect(edited?["message_body"] as? String == "second, edited")
        #expect(edited?["edited_at"] is String)
        #expect(try h.request(.patch, "/api/messages/\(firstID)/", json: BodyOnly(message_body: "first, edited"), token: alice.token).status == 200)
        try expectLastMessagesMatch(h, ids)
        // The parent deleted: the reply, still the last, loses its parent in the copy too.
        #expect(try h.request(.delete, "/api/messages/\(firstID)", token: alice.token).status == 204)
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, alice, a)?["parent_message"] is NSNull)
        // The last deleted: the one before it takes its place; the only one deleted: no copy.
        let third = try h.post("third", in: a, as: alice)
        #expect(try h.request(.delete, "/api/messages/\(third["message_id"] as? String ?? "")", token: alice.token).status == 204)
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, alice, a)?["message_body"] as? String == "second, edited")
        #expect(try h.request(.delete, "/api/messages/\(secondID)", token: bob.token).status == 204)
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, alice, a) == nil)
        // System lines are messages too.
        _ = try h.addParticipants([carol], to: a, as: alice)
        try expectLastMessagesMatch(h, ids)
        _ = try h.removeParticipant(carol, from: a, as: alice)
        try expectLastMessagesMatch(h, ids)
        // The demo seed's timeline moves sent_at: the newest message may change.
        _ = try h.post("in b", in: b, as: carol)
        let aID = try #require(UUID(uuidString: a))
        try PostgresDemoTimelineRepository(database: h.database).spread(DemoTimeline(conversations: [(aID, 600)]))
        try expectLastMessagesMatch(h, ids)
        // Several messages in one INSERT: the newest of them.
        let bID = try #require(UUID(uuidString: b))
        try h.database.write { connection in
            try connection.execute("""
                INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
                SELECT \(bID), \(alice.id), 'bulk ' || n, now() + n * interval '1 second' FROM generate_series(1, 3) AS n
                """)
        }
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, bob, b)?["message_body"] as? String == "bulk 3")
        // A deleted account takes its messages; the copy falls back to what is left.
        _ = try h.post("carol's last", in: b, as: carol)
        #expect(try h.request(.delete, "/api/users/me/", token: carol.token).status == 204)
        try expectLastMessagesMatch(h, ids)
        #expect(try lastListed(h, bob, b)?["message_body"] as? String == "bulk 3")
    }

    @Test("the last two messages deleted at the same time: the copy names neither (each delete decides after the other's commit)")
    func concurrentDeletesOfTheLastTwo() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let conversationID = try #require(UUID(uuidString: id))
        _ = try h.post("stays", in: id, as: alice)
        let doomed = try [h.post("goes first", in: id, as: alice), h.post("goes last", in: id, as: bob)]
            .map { try #require($0["message_id"] as? String) }
        // Each delete on a connection of its own, as two workers would, while this test holds the
        // conversation row: both are under way, each its message deleted, before either decides
        // what the copy becomes. Deciding on a snapshot taken before the other's commit would leave
        // the copy naming the message the other deleted.
        let statuses = try h.concurrently(holding: conversationID, [alice, bob]) { harness, user, index in
            try harness.request(.delete, "/api/messages/\(doomed[index])", token: user.token)
        }
        #expect(statuses == [204, 204])
        try expectLastMessagesMatch(h, [id])
        #expect(try lastListed(h, alice, id)?["message_body"] as? String == "stays")
    }

    @Test("each conversation's participants, as values (migration 0018) and as the API's JSON (0025), follow members added and leaving, renames, join times and deleted accounts")
    func participantsCopyStaysRight() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let dave = try h.makeUser()
        let a = try h.conversation(alice, with: [bob])
        let b = try h.conversation(alice, with: [bob, carol])
        let ids = [a, b]
        try expectParticipantsMatch(h, ids)  // creation
        _ = try h.addParticipants([carol, dave], to: a, as: alice)
        try expectParticipantsMatch(h, ids)
        #expect(try participantNames(h, a, as: alice).count == 4)
        _ = try h.removeParticipant(carol, from: a, as: alice)
        try expectParticipantsMatch(h, ids)
        // A rename shows in every conversation of the user, in the list and the detail.
        #expect(try h.request(.patch, "/api/users/me/", json: ["first_name": "Roberta", "last_name": "Renamed"], token: bob.token).status == 200)
        try expectParticipantsMatch(h, ids)
        for conversation in ids {
            #expect(try participantNames(h, conversation, as: alice).contains("Roberta Renamed"))
        }
        // Other writes to users (the notification counters of a post's fan-out) leave it alone.
        let before = try copies(h, ids)
        try h.post("hello", in: b, as: alice)
        #expect(try copies(h, ids) == before)
        // Join times order the participants.
        let bID = try #require(UUID(uuidString: b))
        try h.database.write { connection in
            try connection.execute("UPDATE conversation_participants SET joined_at = joined_at - interval '1 day' WHERE conversation_id = \(bID) AND user_id = \(carol.id)")
        }
        try expectParticipantsMatch(h, ids)
        #expect(try copies(h, [b])[0].first == carol.username)
        // Names with every character JSON escapes, and some it does not, in both copies.
        try h.database.write { connection in
            try connection.execute(#"""
                UPDATE users SET first_name = E'Q"uo\\te\n\t\r\b\f\x01\x1f </script> Zoë 😀', last_name = E'\x7f/\u00e9'
                WHERE user_id = \#(bob.id)
                """#)
        }
        try expectParticipantsMatch(h, ids)
        // A deleted account leaves every conversation it was in.
        #expect(try h.request(.delete, "/api/users/me/", token: dave.token).status == 204)
        try expectParticipantsMatch(h, ids)
        #expect(try Set(copies(h, [a])[0]) == [alice.username, bob.username])
    }

    @Test("each user's count of conversations (migration 0026) follows creation, members added and removed, a deleted conversation and a deleted account; the list's count is it")
    func conversationCounts() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let users = [alice, bob, carol]
        let a = try h.conversation(alice, with: [bob])
        let b = try h.conversation(alice, with: [bob, carol])
        _ = try h.conversation(bob, with: [carol])
        try expectCounts(h, users, [2, 3, 2])
        _ = try h.addParticipants([carol], to: a, as: alice)
        try expectCounts(h, users, [2, 3, 3])
        _ = try h.removeParticipant(bob, from: b, as: alice)
        try expectCounts(h, users, [2, 2, 3])
        #expect(try h.request(.delete, "/api/conversations/\(a)/", token: alice.token).status == 204)
        try expectCounts(h, users, [1, 1, 2])
        #expect(try h.request(.delete, "/api/users/me/", token: carol.token).status == 204)
        try expectCounts(h, [alice, bob], [1, 1])
        // A page past the end is still a 404, counted the same way.
        #expect(try h.request(.get, "/api/conversations/?page=2", token: alice.token).status == 404)
    }

    @Test("the list's plan reads the viewer's rows in order from the activity index: no sort picks the page")
    func planUsesTheIndex() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        // Tables shaped like real ones: alice in 200 conversations, bob in 2,000, and 8,000 more
        // that are neither's, all analysed (the generic plan follows the statistics, and a real
        // database has them). With only theirs, `conversations` was small enough that the later
        // page's plan sat at the edge between index probes and a hash join over the whole table,
        // and a full `make test` once got the hash join (and a sort).
        let plans = try h.database.write { connection -> [String] in
            try connection.execute("""
                INSERT INTO conversations (title, created_by, last_message_at)
                SELECT 'other ' || n, \(bob.id), now() - n * interval '1 minute' FROM generate_series(1, 8000) AS n
                """)
            try connection.execute("""
                WITH c AS (
                    INSERT INTO conversations (title, created_by, last_message_at)
                    SELECT 'plan ' || n, \(bob.id), now() - n * interval '1 minute' FROM generate_series(1, 2000) AS n
                    RETURNING conversation_id, title
                )
                INSERT INTO conversation_participants (conversation_id, user_id)
                SELECT conversation_id, \(bob.id) FROM c
                UNION ALL
                SELECT conversation_id, \(alice.id) FROM c WHERE substr(title, 6)::int % 10 = 0
                """)
            try connection.execute("ANALYZE conversation_participants, conversations")
            // As parley runs it: prepared, and after five executions on the generic plan.
            try connection.execute(PostgresQuery(unsafeSQL: "SET plan_cache_mode = force_generic_plan"))
            var plans: [String] = []
            for (index, offset) in [0, 20].enumerated() {
                let query = PostgresConversationRepository.listQuery(for: alice.id, offset: offset, limit: 20)
                let parameters = (1...9).last { query.sql.contains("$\($0)") } ?? 0
                let types = Array(repeating: "unknown", count: parameters).joined(separator: ", ")
                try connection.execute(PostgresQuery(unsafeSQL: "PREPARE plan\(index) (\(types)) AS " + query.sql))
                // EXECUTE takes no bind parameters: the values in the statement's order (the
                // total's user, the viewer, the limit, then the offset on later pages).
                let values = ["'\(alice.id)'", "'\(alice.id)'", "20", "\(offset)"].prefix(parameters).joined(separator: ", ")
                plans.append(try connection.query(PostgresQuery(unsafeSQL: "EXPLAIN EXECUTE plan\(index)(\(values))"))
                    .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n"))
            }
            try connection.execute(PostgresQuery(unsafeSQL: "DEALLOCATE ALL"))
            try connection.execute(PostgresQuery(unsafeSQL: "RESET plan_cache_mode"))
            return plans
        }
        for plan in plans {
            #expect(plan.contains("Index Scan using conversation_participants_user_activity_idx"), "\(plan)")
            // No sort: the index gives the page its order, and the join keeps it.
            #expect(!plan.contains("Sort Key"), "\(plan)")
            #expect(!plan.contains("WindowAgg"), "\(plan)")
        }
        // The first page has no Memoize in front of `conversations`: each id comes once, so its
        // cache is never hit, and filling it copied every row.
        #expect(!plans[0].contains("Memoize"), "\(plans[0])")
        let list = try h.request(.get, "/api/conversations/?page_size=3", token: alice.token)
        #expect(list.count == 200)
        #expect(list.results.compactMap { $0["title"] as? String } == ["plan 10", "plan 20", "plan 30"])
        let third = try h.request(.get, "/api/conversations/?page_size=3&page=3", token: alice.token)
        #expect(third.results.compactMap { $0["title"] as? String } == ["plan 70", "plan 80", "plan 90"])
    }

    @Test("the last message's sender is named as they are now: after a rename, and after they left the conversation")
    func lastSenderName() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let conversation = try h.conversation(alice, with: [bob, carol])
        try h.post("from bob", in: conversation, as: bob)
        func lastSender() throws -> String? {
            let list = try h.request(.get, "/api/conversations/", token: alice.token)
            let row = list.results.first { $0["conversation_id"] as? String == conversation }
            return ((row?["last_message"] as? [String: Any])?["sender"] as? [String: Any])?["username"] as? String
        }
        #expect(try lastSender() == bob.username)
        let renamed = bob.username + "_2"
        #expect(try h.request(.patch, "/api/users/me/", json: ["username": renamed], token: bob.token).status == 200)
        #expect(try lastSender() == renamed)
        // Bob's participant row gone, his message still the last: his name comes from `users`.
        let id = try #require(UUID(uuidString: conversation))
        try h.database.write { connection in
            try connection.execute("DELETE FROM conversation_participants WHERE conversation_id = \(id) AND user_id = \(bob.id)")
        }
        #expect(try lastSender() == renamed)
    }

    // MARK: - Helpers

    private func listed(_ h: APIHarness, _ user: TestUser) throws -> [String] {
        let response = try h.request(.get, "/api/conversations/?page_size=100", token: user.token)
        guard response.status == 200 else { throw MessagingTestFailure("listing failed: \(response.status) \(response.text)") }
        return response.results.compactMap { $0["conversation_id"] as? String }
    }

    /// Every participant row of `conversations` carries its conversation's last activity.
    private func expectCopiesMatch(_ h: APIHarness, _ conversations: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ids = conversations.compactMap(UUID.init(uuidString:))
        let (rows, wrong) = try h.database.read { connection in
            try connection.query("""
                SELECT count(*), count(*) FILTER (WHERE p.conversation_last_message_at IS DISTINCT FROM c.last_message_at)
                FROM conversation_participants p JOIN conversations c ON c.conversation_id = p.conversation_id
                WHERE c.conversation_id = ANY(\(ids))
                """)[0].decode((Int, Int).self)
        }
        #expect(rows > 0, sourceLocation: sourceLocation)
        #expect(wrong == 0, "\(wrong) of \(rows) participant rows have a stale copy", sourceLocation: sourceLocation)
    }

    /// Each conversation's copy of its last message equals its newest message, read from messages.
    private func expectLastMessagesMatch(_ h: APIHarness, _ conversations: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ids = conversations.compactMap(UUID.init(uuidString:))
        let wrong = try h.database.read { connection in
            try connection.query("""
                SELECT count(*) FROM conversations c
                 WHERE c.conversation_id = ANY(\(ids)) AND c.last_message IS DISTINCT FROM (
                     SELECT ROW(m.message_id, m.sender_id, m.parent_message_id, m.message_body, m.sent_at, m.edited_at, m.kind, m.member_id)::message_summary
                       FROM messages m WHERE m.conversation_id = c.conversation_id
                      ORDER BY m.sent_at DESC, m.message_id DESC LIMIT 1)
                """)[0].decode(Int.self, at: 0)
        }
        #expect(wrong == 0, "\(wrong) of \(ids.count) conversations have a stale last message", sourceLocation: sourceLocation)
    }

    /// The last message the viewer's list shows for `conversation` (nil: none, or not listed).
    private func lastListed(_ h: APIHarness, _ user: TestUser, _ conversation: String) throws -> [String: Any]? {
        let response = try h.request(.get, "/api/conversations/?page_size=100", token: user.token)
        let row = response.results.first { $0["conversation_id"] as? String == conversation }
        return row?["last_message"] as? [String: Any]
    }

    /// Each conversation's copy equals the participants read from their rows, in join order.
    private func expectParticipantsMatch(_ h: APIHarness, _ conversations: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ids = conversations.compactMap(UUID.init(uuidString:))
        let wrong = try h.database.read { connection in
            try connection.query("""
                SELECT count(*) FROM conversations c
                 WHERE c.conversation_id = ANY(\(ids)) AND c.participants IS DISTINCT FROM coalesce((
                     SELECT array_agg((u.user_id, u.username, u.first_name, u.last_name)::participant_summary ORDER BY pp.joined_at, u.username)
                       FROM conversation_participants pp JOIN users u ON u.user_id = pp.user_id
                      WHERE pp.conversation_id = c.conversation_id), '{}')
                """)[0].decode(Int.self, at: 0)
        }
        #expect(wrong == 0, "\(wrong) of \(ids.count) conversations have a stale participants copy", sourceLocation: sourceLocation)
        // Migration 0025's JSON text is byte for byte what the API writes for the values.
        let stored = try h.database.read { connection in
            try connection.query("SELECT participants, participants_json FROM conversations WHERE conversation_id = ANY(\(ids))")
                .map { (try $0.decode([UserSummary].self, at: 0), try $0.decode(String.self, at: 1)) }
        }
        #expect(stored.count == ids.count, sourceLocation: sourceLocation)
        for (values, json) in stored {
            #expect(json == String(decoding: JSON.encode(values.map(ParticipantJSON.init)), as: UTF8.self), sourceLocation: sourceLocation)
        }
    }

    /// Each user's stored count, their participant rows counted, and the list's `count`, all equal
    /// to `expected`.
    private func expectCounts(
        _ h: APIHarness, _ users: [TestUser], _ expected: [Int], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for (user, count) in zip(users, expected) {
            let (stored, counted) = try h.database.read { connection in
                try connection.query("""
                    SELECT u.conversation_count, (SELECT count(*) FROM conversation_participants p WHERE p.user_id = u.user_id)
                    FROM users u WHERE u.user_id = \(user.id)
                    """)[0].decode((Int, Int).self)
            }
            #expect(stored == count && counted == count, "\(user.username): stored \(stored), rows \(counted)", sourceLocation: sourceLocation)
            let listed = try h.request(.get, "/api/conversations/", token: user.token).object["count"] as? Int
            #expect(listed == count, sourceLocation: sourceLocation)
        }
    }

    /// The usernames in each conversation's copy, in its order.
    private func copies(_ h: APIHarness, _ conversations: [String]) throws -> [[String]] {
        try conversations.map { id in
            let conversationID = try #require(UUID(uuidString: id))
            return try h.database.read { connection in
                try connection.query("SELECT p.username FROM conversations c, unnest(c.participants) p WHERE c.conversation_id = \(conversationID)")
                    .map { try $0.decode(String.self, at: 0) }
            }
        }
    }

    /// "First Last" of each participant, as the conversation's detail shows them.
    private func participantNames(_ h: APIHarness, _ conversation: String, as viewer: TestUser) throws -> [String] {
        let detail = try h.request(.get, "/api/conversations/\(conversation)/", token: viewer.token).object
        return (detail["participants"] as? [[String: Any]] ?? []).map { "\($0["first_name"] as? String ?? "") \($0["last_name"] as? String ?? "")" }
    }

    /// The participants' ids as the list and the detail show them.
    private func expectParticipants(_ h: APIHarness, _ conversation: String, as viewer: TestUser, _ expected: [String],
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let list = try h.request(.get, "/api/conversations/", token: viewer.token).results.first { $0["conversation_id"] as? String == conversation }
        let detail = try h.request(.get, "/api/conversations/\(conversation)/", token: viewer.token).object
        for object in [list, detail] {
            let ids = (object?["participants"] as? [[String: Any]])?.compactMap { $0["user_id"] as? String }
            #expect(ids == expected, sourceLocation: sourceLocation)
        }
    }
}

