import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing

/// The messaging services over the PostgreSQL store they ship with: the rules, and the SQL
/// behind them, without HTTP.
@Suite("Messaging services", .enabled(if: TestEnvironment.runsIntegration))
struct MessagingServiceTests {
    struct World {
        let database: PostgresDatabase
        let store: PostgresMessagingStore
        var configuration = MessagingConfiguration()
        let alice: AuthenticatedUser
        let bob: AuthenticatedUser
        let eve: AuthenticatedUser
        let admin: AuthenticatedUser

        init(rateLimit: Int = 1_000) throws {
            configuration.messageRateLimit = rateLimit
            let database = PostgresDatabase(
                configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL),
                logger: Logger(label: "messaging-service-test") { _ in SwiftLogNoOpLogHandler() })
            self.database = database
            store = PostgresMessagingStore(database: database)
            /// A user of this test alone (`alice` → `alice_…`), inserted as the accounts code would.
            func user(_ name: String, _ role: Role = .guest) throws -> AuthenticatedUser {
                let username = uniqueName(name)
                let id = try database.write { connection in
                    try connection.query("""
                        INSERT INTO users (username, email, first_name, password_hash, role)
                        VALUES (\(username), \(username + "@example.com"), \(name.capitalized), 'not-a-usable-hash', \(role.rawValue))
                        RETURNING user_id
                        """).first!.decode(UUID.self)
                }
                return AuthenticatedUser(id: id, username: username, role: role)
            }
            alice = try user("alice")
            bob = try user("bob")
            eve = try user("eve")
            admin = try user("admin", .admin)
        }

        var conversations: ConversationService { ConversationService(store: store) }
        var messages: MessageService { MessageService(store: store, limiter: RateLimiter(store: PostgresRateLimitStore(database: database)), configuration: configuration) }
        var notifications: NotificationService { NotificationService(store: store) }

        @discardableResult
        func send(_ body: String, in conversation: UUID, as user: AuthenticatedUser, parent: UUID? = nil, key: String? = nil) throws -> MessageService.SendResult {
            try messages.send(MessageDraft(body: body, parentMessageID: parent), to: conversation, by: user.id, idempotencyKey: key) { message in
                StoredResponse(status: 201, body: Array(message.messageID.uuidString.utf8))
            }
        }

        func conversation(_ creator: AuthenticatedUser, with others: [AuthenticatedUser]) throws -> UUID {
            try conversations.create(by: creator, participantIDs: others.map(\.id), title: nil).conversation.conversationID
        }

        /// The first column of every row of `query`, as the tables hold it after the service call.
        func column<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) throws -> [T] {
            try database.read { try $0.query(query).decode(T.self) }
        }

        func count(_ query: PostgresQuery) throws -> Int {
            try column(Int.self, query)[0]
        }
    }

    func expectError(_ expected: MessagingError.Kind, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(expected), nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as MessagingError {
            #expect(error.kind == expected, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("create: the creator is always a participant; duplicates fold; unknown ids name themselves")
    func create() throws {
        let world = try World()
        let summary = try world.conversations.create(by: world.alice, participantIDs: [world.bob.id, world.bob.id, world.alice.id], title: "t")
        #expect(summary.participants.map(\.username) == [world.alice.username, world.bob.username])
        #expect(summary.conversation.createdBy == world.alice.id)
        let ghost = UUID()
        do {
            _ = try world.conversations.create(by: world.alice, participantIDs: [world.bob.id, ghost], title: nil)
            Issue.record("an unknown participant was accepted")
        } catch let error as MessagingError {
            #expect(error.fields?["participant_ids"]?.first?.contains(ghost.apiString) == true)
        }
        #expect(try world.count("SELECT count(*) FROM conversations WHERE created_by = \(world.alice.id)") == 1, "nothing half-created")
    }

    @Test("send: notifies the others in the same transaction, bumps activity, counts unread")
    func sendFansOut() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob, world.eve])
        let lastActivity: PostgresQuery = "SELECT last_message_at FROM conversations WHERE conversation_id = \(id)"
        let before = try world.column(Date.self, lastActivity)[0]
        let result = try world.send("hi", in: id, as: world.alice)
        let message = try #require(result.message)
        #expect(!result.isReplay)
        let recipients = try world.column(UUID.self, "SELECT recipient_id FROM notifications WHERE conversation_id = \(id)")
        #expect(recipients.count == 2)
        #expect(Set(recipients) == [world.bob.id, world.eve.id])
        #expect(try world.column(Date.self, lastActivity)[0] == message.sentAt)
        #expect(message.sentAt > before)
        #expect(try world.conversations.detail(id, for: world.bob.id).unreadCount == 1)
        #expect(try world.conversations.detail(id, for: world.alice.id).unreadCount == 0)
        _ = try world.conversations.markRead(id, by: world.bob)
        #expect(try world.conversations.detail(id, for: world.bob.id).unreadCount == 0)
        #expect(try world.notifications.list(for: world.bob.id, unread: true, page: PageRequest(size: 20)).total == 0)
    }

    @Test("with an idempotency key, a failure inside the transaction leaves nothing: no message, no notification, no key")
    func rollback() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        struct RenderFailed: Error {}
        let error = #expect(throws: PostgresTransactionError.self) {
            try world.messages.send(MessageDraft(body: "x"), to: id, by: world.alice.id, idempotencyKey: "render-fails") { _ in throw RenderFailed() }
        }
        #expect(error?.closureError is RenderFailed)
        #expect(error?.rollbackError == nil)
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = \(id)") == 0)
        #expect(try world.count("SELECT count(*) FROM notifications WHERE conversation_id = \(id)") == 0)
        #expect(try world.count("SELECT count(*) FROM idempotency_keys WHERE user_id = \(world.alice.id)") == 0)
    }

    @Test("without a key the post is one statement: the message and its notifications, or nothing")
    func oneStatement() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob, world.eve])
        struct RenderFailed: Error {}
        // Nothing is stored beside the message, so the response is made after the statement:
        // a failure there fails the request, and the post stands (as a lost response would).
        #expect(throws: RenderFailed.self) {
            try world.messages.send(MessageDraft(body: "x"), to: id, by: world.alice.id) { _ in throw RenderFailed() }
        }
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = \(id)") == 1)
        #expect(try world.count("SELECT count(*) FROM notifications WHERE conversation_id = \(id)") == 2)
    }

    @Test("refusals: unknown conversation, outsider, blank, too long, NUL, foreign or unknown parent")
    func refusals() throws {
        var world = try World()
        world.configuration.maxBodyLength = 5
        let id = try world.conversation(world.alice, with: [world.bob])
        let other = try world.conversation(world.eve, with: [world.alice])
        let foreign = try #require(try world.send("x", in: other, as: world.eve).message)
        expectError(.notFound) { try world.send("x", in: UUID(), as: world.alice) }
        expectError(.forbidden) { try world.send("x", in: id, as: world.eve) }
        expectError(.forbidden) { try world.send("x", in: id, as: world.admin) }
        expectError(.invalid) { try world.send(" \n ", in: id, as: world.alice) }
        expectError(.invalid) { try world.send("123456", in: id, as: world.alice) }
        expectError(.invalid) { try world.send("a\u{0}", in: id, as: world.alice) }
        expectError(.invalid) { try world.send("x", in: id, as: world.alice, parent: foreign.messageID) }
        expectError(.invalid) { try world.send("x", in: id, as: world.alice, parent: UUID()) }
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = ANY(\([id, other]))") == 1)
        #expect(try world.send("12345", in: id, as: world.alice).message?.body == "12345")
    }

    @Test("rate limit: the post over the limit is refused with a Retry-After; others are unaffected")
    func rateLimit() throws {
        let world = try World(rateLimit: 2)
        let id = try world.conversation(world.alice, with: [world.bob])
        try world.send("1", in: id, as: world.alice)
        try world.send("2", in: id, as: world.alice)
        do {
            try world.send("3", in: id, as: world.alice)
            Issue.record("the third post went through")
        } catch let error as MessagingError {
            #expect(error.kind == .rateLimited)
            #expect((error.rateLimit?.retryAfterSeconds ?? 0) >= 1)
        }
        try world.send("bob", in: id, as: world.bob)
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = \(id)") == 3)
    }

    @Test("idempotency: a replay returns the stored response and stores nothing; a different request with the key is refused")
    func idempotency() throws {
        let world = try World(rateLimit: 1)
        let id = try world.conversation(world.alice, with: [world.bob])
        let first = try world.send("once", in: id, as: world.alice, key: "k")
        let again = try world.send("once", in: id, as: world.alice, key: "k")
        #expect(again.isReplay)
        #expect(again.response == first.response)
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = \(id)") == 1)
        #expect(try world.count("SELECT count(*) FROM notifications WHERE conversation_id = \(id)") == 1)
        expectError(.idempotencyKeyReused) { try world.send("twice", in: id, as: world.alice, key: "k") }
        // The same key is Bob's own.
        #expect(try !world.send("once", in: id, as: world.bob, key: "k").isReplay)
    }

    @Test("edit and delete: the sender only; history keeps earlier bodies; replies survive their parent")
    func editDelete() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        let root = try #require(try world.send("v1", in: id, as: world.alice).message)
        let reply = try #require(try world.send("re", in: id, as: world.bob, parent: root.messageID).message)
        expectError(.forbidden) { _ = try world.messages.edit(root.messageID, body: "hack", by: world.bob) }
        expectError(.forbidden) { _ = try world.messages.edit(root.messageID, body: "hack", by: world.eve) }
        expectError(.notFound) { _ = try world.messages.edit(UUID(), body: "x", by: world.alice) }
        let edited = try world.messages.edit(root.messageID, body: "v2", by: world.alice)
        #expect(edited.isEdited && edited.body == "v2")
        _ = try world.messages.edit(root.messageID, body: "v2", by: world.alice)  // unchanged: no edit
        _ = try world.messages.edit(root.messageID, body: "v3", by: world.alice)
        #expect(try world.messages.history(of: root.messageID, for: world.bob.id).map(\.oldBody) == ["v1", "v2"])
        expectError(.forbidden) { _ = try world.messages.history(of: root.messageID, for: world.eve.id) }
        expectError(.forbidden) { try world.messages.delete(root.messageID, by: world.bob) }
        try world.messages.delete(root.messageID, by: world.alice)
        #expect(try world.messages.get(reply.messageID, for: world.alice.id).parentMessageID == nil)
        #expect(try world.count("SELECT count(*) FROM message_edits WHERE message_id = \(root.messageID)") == 0)
    }

    @Test("thread: the tree under a message, children oldest first")
    func thread() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        let root = try #require(try world.send("root", in: id, as: world.alice).message)
        let a = try #require(try world.send("a", in: id, as: world.bob, parent: root.messageID).message)
        try world.send("b", in: id, as: world.alice, parent: root.messageID)
        try world.send("a1", in: id, as: world.alice, parent: a.messageID)
        try world.send("other", in: id, as: world.alice)
        let tree = try world.messages.thread(of: root.messageID, for: world.bob.id)
        func shape(_ node: MessageThread) -> String {
            node.replies.isEmpty ? node.message.body : node.message.body + "(" + node.replies.map(shape).joined(separator: ",") + ")"
        }
        #expect(shape(tree) == "root(a(a1),b)")
        expectError(.forbidden) { _ = try world.messages.thread(of: root.messageID, for: world.eve.id) }
    }

    @Test("lists: page past the end, keyset seeks both ways, visibility across conversations")
    func lists() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        let hidden = try world.conversation(world.bob, with: [world.eve])
        var ids: [UUID] = []
        for index in 0..<7 { ids.append(try #require(try world.send("m\(index)", in: id, as: world.alice).message).messageID) }
        try world.send("secret", in: hidden, as: world.bob)
        expectError(.invalidPage) {
            _ = try world.messages.list(in: id, for: world.alice.id, filter: MessageFilter(), ordering: .oldestFirst, window: .page(PageRequest(number: 3, size: 5)))
        }
        guard case .cursor(let after) = try world.messages.list(in: id, for: world.bob.id, filter: MessageFilter(), ordering: .oldestFirst, window: .after(ids[1], limit: 3)) else {
            Issue.record("not a cursor page"); return
        }
        #expect(after.items.map(\.messageID) == Array(ids[2..<5]))
        #expect(after.hasNext && after.hasPrevious)
        guard case .cursor(let before) = try world.messages.list(in: id, for: world.bob.id, filter: MessageFilter(), ordering: .newestFirst, window: .before(ids[1], limit: 3)) else {
            Issue.record("not a cursor page"); return
        }
        #expect(before.items.map(\.messageID) == Array(ids[2..<5].reversed()), "newest first: 'before' m1 are the newer ones")
        expectError(.invalidCursor) {
            _ = try world.messages.list(in: id, for: world.alice.id, filter: MessageFilter(), ordering: .oldestFirst, window: .after(UUID(), limit: 3))
        }
        guard case .page(let visible) = try world.messages.listVisible(to: world.alice.id, filter: MessageFilter(), ordering: .oldestFirst, window: .page(PageRequest(size: 50))) else {
            Issue.record("not a page"); return
        }
        #expect(visible.total == 7)
        #expect(!visible.items.contains { $0.body == "secret" })
    }

    @Test("notifications: own only; read-all counts; delete conversation: creator or admin")
    func notificationsAndDeletion() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        try world.send("1", in: id, as: world.alice)
        try world.send("2", in: id, as: world.alice)
        let page = try world.notifications.list(for: world.bob.id, unread: nil, page: PageRequest(size: 10))
        #expect(page.items.map(\.messagePreview) == ["2", "1"])
        expectError(.notFound) { _ = try world.notifications.markRead(page.items[0].notificationID, by: world.alice) }
        #expect(try world.notifications.markRead(page.items[0].notificationID, by: world.bob).isRead)
        #expect(try world.notifications.markAllRead(by: world.bob) == 1)
        expectError(.forbidden) { try world.conversations.delete(id, by: world.bob) }
        expectError(.forbidden) { try world.conversations.delete(id, by: world.eve) }
        try world.conversations.delete(id, by: world.admin)
        #expect(try world.count("SELECT count(*) FROM messages WHERE conversation_id = \(id)") == 0)
        #expect(try world.count("SELECT count(*) FROM notifications WHERE conversation_id = \(id)") == 0)
    }

    @Test("deleting a user removes their rows and keeps everyone else's, as the schema does")
    func userDeletion() throws {
        let world = try World()
        let id = try world.conversation(world.alice, with: [world.bob])
        let alone = try world.conversation(world.alice, with: [])
        let hers = try #require(try world.send("hers", in: id, as: world.alice).message)
        let reply = try #require(try world.send("his", in: id, as: world.bob, parent: hers.messageID).message)
        try world.send("note", in: alone, as: world.alice)
        _ = try world.database.write { try $0.execute("DELETE FROM users WHERE user_id = \(world.alice.id)") }
        #expect(try world.column(UUID.self, "SELECT message_id FROM messages WHERE conversation_id = ANY(\([id, alone]))") == [reply.messageID])
        #expect(try world.column(UUID?.self, "SELECT parent_message_id FROM messages WHERE message_id = \(reply.messageID)") == [nil])
        #expect(try world.column(UUID?.self, "SELECT created_by FROM conversations WHERE conversation_id = \(id)") == [nil])
        #expect(try world.count("SELECT count(*) FROM conversations WHERE conversation_id = \(alone)") == 0)
        #expect(try world.count("""
            SELECT count(*) FROM notifications WHERE recipient_id = \(world.alice.id) OR message_id = \(hers.messageID)
            """) == 0)
    }

    @Test("preview: 100 characters and an ellipsis")
    func preview() {
        #expect(MessageNotification.preview(of: "short") == "short")
        #expect(MessageNotification.preview(of: String(repeating: "é", count: 120)) == String(repeating: "é", count: 100) + "…")
    }
}
