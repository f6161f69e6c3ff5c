import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// Notifications: fan-out with each message, the list, read marks.
@Suite("Notifications API", .enabled(if: TestEnvironment.runsIntegration))
struct NotificationTests {
    @Test("a message notifies every other participant, not the sender; the list is newest first with a preview")
    func fanOut() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let id = try h.conversation(alice, with: [bob, carol])
        let first = try h.post("first", in: id, as: alice)
        try h.post(String(repeating: "x", count: 150), in: id, as: alice)
        #expect(try h.count("notifications", where: "message_id = $1", UUID(uuidString: first["message_id"] as! String)!) == 2)
        #expect(try h.request(.get, "/api/notifications/", token: alice.token).count == 0, "no notification to the sender")
        let bobs = try h.request(.get, "/api/notifications/", token: bob.token)
        #expect(bobs.status == 200)
        #expect(bobs.count == 2)
        let newest = bobs.results[0]
        #expect(Set(newest.keys) == ["notification_id", "message", "conversation", "sender", "created_at", "read", "read_at"])
        let preview = (newest["message"] as? [String: Any])?["body_preview"] as? String
        #expect(preview == String(repeating: "x", count: 100) + "…")
        #expect(newest["conversation"] as? String == id)
        #expect((newest["sender"] as? [String: Any])?["user_id"] as? String == alice.idString)
        #expect(newest["read"] as? Bool == false)
        #expect(newest["read_at"] is NSNull)
        #expect(((bobs.results[1]["message"] as? [String: Any])?["message_id"] as? String) == first["message_id"] as? String)
        #expect(try h.request(.get, "/api/notifications/", token: carol.token).count == 2)
    }

    @Test("fan-out is in the message's transaction: a post that fails leaves no notification and no message")
    func fanOutIsAtomic() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let conversationID = UUID(uuidString: id)!
        // A trigger that fails the notification insert for this conversation only: the
        // message inserted just before it in the same transaction must roll back too.
        let function = "fail_notify_\(UUID().uuidString.prefix(8).lowercased())"
        try h.database.write { connection in
            try connection.executeScript(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.conversation_id = '\(id)' THEN RAISE EXCEPTION 'notification refused for the test'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER \(function) BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION \(function)();
                """))
        }
        defer {
            _ = try? h.database.write { connection in
                try connection.executeScript(PostgresQuery(unsafeSQL: "DROP TRIGGER \(function) ON notifications; DROP FUNCTION \(function)();"))
            }
        }
        let before = try h.request(.get, "/api/conversations/\(id)/", token: alice.token).object["last_message"]
        let response = try h.request(.post, "/api/conversations/\(id)/messages/", json: BodyOnly(message_body: "doomed"), token: alice.token)
        #expect(response.status == 500)
        #expect(!response.text.contains("notification refused"), "the database's message does not leak")
        #expect(try h.count("messages", where: "conversation_id = $1", conversationID) == 0)
        #expect(try h.count("notifications", where: "conversation_id = $1", conversationID) == 0)
        #expect(before is NSNull)
        #expect(try h.request(.get, "/api/conversations/\(id)/", token: alice.token).object["last_message"] is NSNull)
    }

    @Test("?unread=true lists unread only; read marks one (own only, others 404); read-all marks the rest")
    func readMarks() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        for index in 0..<3 { try h.post("m\(index)", in: id, as: alice) }
        let list = try h.request(.get, "/api/notifications/?unread=true", token: bob.token)
        #expect(list.count == 3)
        let target = list.results[1]["notification_id"] as! String
        // Someone else's notification is not found, and stays unread.
        #expect(try h.request(.post, "/api/notifications/\(target)/read/", token: alice.token).status == 404)
        #expect(try h.request(.post, "/api/notifications/\(UUID())/read/", token: bob.token).status == 404)
        #expect(try h.request(.post, "/api/notifications/garbage/read/", token: bob.token).status == 404)
        let marked = try h.request(.post, "/api/notifications/\(target)/read", token: bob.token)
        #expect(marked.status == 200)
        #expect(marked.object["read"] as? Bool == true)
        #expect(ISO8601.date(from: marked.object["read_at"] as? String ?? "") != nil)
        // Marking again is harmless and keeps the first time.
        #expect(try h.request(.post, "/api/notifications/\(target)/read/", token: bob.token).object["read_at"] as? String == marked.object["read_at"] as? String)
        let unread = try h.request(.get, "/api/notifications/?unread=true", token: bob.token)
        #expect(unread.count == 2)
        #expect(!unread.results.contains { $0["notification_id"] as? String == target })
        #expect(try h.request(.get, "/api/notifications/?unread=false", token: bob.token).count == 1, "unread=false: the read ones")
        #expect(try h.request(.get, "/api/notifications/", token: bob.token).count == 3)
        for hostile in MessagingSamples.hostile + ["true' OR '1'='1"] {
            let response = try h.request(.get, "/api/notifications/?" + URLEncodedForm(pairs: [("unread", hostile)]).encoded, token: bob.token)
            #expect(response.status == 400, "\(hostile)")
            #expect(!response.fieldErrors("unread").isEmpty)
        }
        let all = try h.request(.post, "/api/notifications/read-all/", token: bob.token)
        #expect(all.status == 200)
        #expect(all.object["marked_read"] as? Int == 2)
        #expect(try h.request(.get, "/api/notifications/?unread=true", token: bob.token).count == 0)
        #expect(try h.request(.post, "/api/notifications/read-all", token: bob.token).object["marked_read"] as? Int == 0)
        #expect(try h.request(.get, "/api/notifications/").status == 401)
    }

    @Test("pagination: newest first across pages, page past the end 404")
    func pagination() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        for index in 0..<5 { try h.post("m\(index)", in: id, as: alice) }
        let page1 = try h.request(.get, "/api/notifications/?page_size=2&unread=true", token: bob.token)
        #expect(page1.count == 5)
        #expect(page1.results.map { ($0["message"] as? [String: Any])?["body_preview"] as? String } == ["m4", "m3"])
        #expect(page1.next == "https://testserver/api/notifications/?page_size=2&unread=true&page=2")
        let page3 = try h.request(.get, "/api/notifications/?page_size=2&unread=true&page=3", token: bob.token)
        #expect(page3.results.map { ($0["message"] as? [String: Any])?["body_preview"] as? String } == ["m0"])
        #expect(try h.request(.get, "/api/notifications/?page_size=2&page=4", token: bob.token).status == 404)
    }

    @Test("the unread list walks the partial index (EXPLAIN)")
    func unreadUsesPartialIndex() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        // Bob has 400 notifications, 390 of them read: the partial index holds only the 10.
        try h.seedMessages(400, in: id, from: alice)
        let plan = try h.database.write { connection -> String in
            try connection.execute("""
                INSERT INTO notifications (recipient_id, message_id, conversation_id, created_at, read_at)
                SELECT \(bob.id), m.message_id, m.conversation_id, m.sent_at,
                       CASE WHEN row_number() OVER (ORDER BY m.sent_at) <= 390 THEN now() END
                FROM messages m WHERE m.conversation_id = \(UUID(uuidString: id)!)
                """)
            try connection.execute("ANALYZE notifications")
            // Small tables tempt the planner into a scan and a sort; forbid both so the plan
            // shows which index serves the order.
            try connection.execute("SET enable_seqscan = off")
            try connection.execute("SET enable_sort = off")
            defer {
                _ = try? connection.execute("RESET enable_seqscan")
                _ = try? connection.execute("RESET enable_sort")
            }
            return try connection.query("""
                EXPLAIN SELECT n.notification_id FROM notifications n WHERE n.recipient_id = \(bob.id) AND n.read_at IS NULL
                ORDER BY n.created_at DESC, n.notification_id DESC LIMIT 20
                """).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        }
        #expect(plan.contains("notifications_recipient_unread_idx"), "\(plan)")
        #expect(!plan.contains("Sort"), "\(plan)")
    }
}
