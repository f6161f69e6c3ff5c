import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing
import Web

/// The users' notification counters (migration 0016) against the rows they count: every path
/// that adds, reads or removes notifications must leave the badge and the list's `count` equal
/// to a count of the rows, since nothing recounts them later.
@Suite("Notification counters", .enabled(if: TestEnvironment.runsIntegration))
struct NotificationCounterTests {
    @Test("posts, read marks (one, a conversation, all), a message deleted, a member removed and an account deleted keep the counts exact")
    func countersFollowEveryPath() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let users = [alice, bob, carol]
        let first = try h.conversation(alice, with: [bob, carol])
        let second = try h.conversation(bob, with: [alice, carol])

        func expectExact(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            for user in users {
                let all = try h.count("notifications", where: "recipient_id = $1", user.id)
                let unread = try h.count("notifications", where: "recipient_id = $1 AND read_at IS NULL", user.id)
                let listed = try h.request(.get, "/api/notifications/", token: user.token)
                guard listed.status == 200 else { continue }  // a deleted account
                #expect(listed.count == all, "\(step): count of all, \(user.username)", sourceLocation: sourceLocation)
                #expect(try h.request(.get, "/api/notifications/?unread=true", token: user.token).count == unread,
                        "\(step): unread, \(user.username)", sourceLocation: sourceLocation)
                #expect(try h.request(.get, "/api/notifications/?unread=false", token: user.token).count == all - unread,
                        "\(step): read, \(user.username)", sourceLocation: sourceLocation)
            }
        }

        for index in 0..<3 { try h.post("a\(index)", in: first, as: alice) }
        let bobsMessage = try h.post("from bob", in: first, as: bob)["message_id"] as! String
        for index in 0..<2 { try h.post("b\(index)", in: second, as: bob) }
        try expectExact("after posts")
        #expect(try h.request(.get, "/api/notifications/?unread=true", token: carol.token).count == 6)

        let one = try h.request(.get, "/api/notifications/?unread=true", token: bob.token).results[0]["notification_id"] as! String
        #expect(try h.request(.post, "/api/notifications/\(one)/read/", token: bob.token).status == 200)
        #expect(try h.request(.post, "/api/notifications/\(one)/read/", token: bob.token).status == 200, "marking again changes no count")
        try expectExact("after one read mark")

        #expect(try h.request(.post, "/api/conversations/\(first)/read/", token: carol.token).status == 200)
        try expectExact("after a conversation marked read")

        #expect(try h.request(.delete, "/api/messages/\(bobsMessage)/", token: bob.token).status == 204)
        try expectExact("after a message deleted")

        #expect(try h.removeParticipant(carol, from: second, as: bob).status == 204)
        try expectExact("after a member removed")

        #expect(try h.request(.post, "/api/notifications/read-all/", token: alice.token).status == 200)
        try h.post("after read-all", in: second, as: bob)
        try expectExact("after read-all and a new post")

        #expect(try h.request(.delete, "/api/users/me/", token: bob.token).status == 204)
        try expectExact("after an account deleted")
    }

    @Test("two posters with recipients in common, many posts at once: no deadlock, and the counts are exact")
    func concurrentPostsStayExact() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let carol = try h.makeUser()
        let dave = try h.makeUser()
        // Each post locks two recipients' rows; the two conversations name them in opposite orders.
        let first = try h.conversation(alice, with: [carol, dave])
        let second = try h.conversation(bob, with: [dave, carol])
        // Four workers, each on a connection of its own, as four server threads would be.
        let configuration = h.configuration
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let harness = try APIHarness(configuration: configuration)
                for index in 0..<10 {
                    if (worker + index).isMultiple(of: 2) {
                        try harness.post("a\(worker).\(index)", in: first, as: alice)
                    } else {
                        try harness.post("b\(worker).\(index)", in: second, as: bob)
                    }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        for user in [carol, dave] {
            #expect(try h.request(.get, "/api/notifications/?unread=true", token: user.token).count == 40)
            #expect(try h.count("notifications", where: "recipient_id = $1 AND read_at IS NULL", user.id) == 40)
        }
    }
}
