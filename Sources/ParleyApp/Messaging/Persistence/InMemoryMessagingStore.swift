import Foundation
import Synchronization

/// The messaging tables in memory, for service tests that need no database. It keeps the rules
/// the PostgreSQL schema enforces (foreign keys and their ON DELETE actions, one notification
/// per recipient, the same ordering) so the services behave the same on both.
///
/// A transaction works on a copy of the state, written back only if the closure returns; one
/// lock serialises reads and transactions.
final class InMemoryMessagingStore: MessagingStore, Sendable {
    private let state = Mutex(InMemoryMessagingState())

    init() {}

    /// Adds a user, as the accounts code would.
    @discardableResult
    func addUser(username: String, firstName: String = "", lastName: String = "", id: UUID = UUID()) -> UUID {
        state.withLock { $0.users[id] = UserSummary(userID: id, username: username, firstName: firstName, lastName: lastName) }
        return id
    }

    /// Deletes a user with the schema's ON DELETE actions.
    func deleteUser(_ id: UUID) {
        state.withLock { $0.deleteUser(id) }
    }

    /// A copy of the whole state, for assertions.
    var snapshot: InMemoryMessagingState {
        state.withLock { $0 }
    }

    func read<T>(_ body: (MessagingRepositories) throws -> T) throws -> T {
        let workspace = state.withLock { InMemoryWorkspace($0) }
        return try body(workspace.repositories)
    }

    func transaction<T>(_ body: (MessagingRepositories) throws -> T) throws -> T {
        // The lock is held for the whole closure: transactions run one at a time, as if
        // SERIALIZABLE. The closure works on a copy, written back only if it returns.
        var outcome: Result<T, any Error>?
        state.withLock { stored in
            let workspace = InMemoryWorkspace(stored)
            do {
                outcome = .success(try body(workspace.repositories))
                stored = workspace.state
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome!.get()
    }
}

/// The state one read or transaction works on.
final class InMemoryWorkspace {
    var state: InMemoryMessagingState

    init(_ state: InMemoryMessagingState) {
        self.state = state
    }

    var repositories: MessagingRepositories {
        MessagingRepositories(
            users: InMemoryUserRepository(workspace: self),
            conversations: InMemoryConversationRepository(workspace: self),
            messages: InMemoryMessageRepository(workspace: self),
            notifications: InMemoryNotificationRepository(workspace: self),
            idempotency: InMemoryIdempotencyRepository(workspace: self))
    }
}

/// The rows of every messaging table.
struct InMemoryMessagingState: Sendable {
    struct Participant: Sendable {
        var joinedAt: Date
        var lastReadAt: Date?
    }

    struct StoredMessage: Sendable {
        var messageID: UUID
        var conversationID: UUID
        var senderID: UUID
        var parentMessageID: UUID?
        var body: String
        var sentAt: Date
        var editedAt: Date?
    }

    struct StoredEdit: Sendable {
        var messageID: UUID
        var oldBody: String
        var editedBy: UUID
        var editedAt: Date
    }

    struct StoredNotification: Sendable {
        var notificationID: UUID
        var recipientID: UUID
        var messageID: UUID
        var conversationID: UUID
        var createdAt: Date
        var readAt: Date?
    }

    struct StoredKey: Sendable {
        var fingerprint: String
        var response: StoredResponse
        var createdAt: Date
    }

    var users: [UUID: UserSummary] = [:]
    var conversations: [UUID: Conversation] = [:]
    var participants: [UUID: [UUID: Participant]] = [:]
    var messages: [UUID: StoredMessage] = [:]
    var edits: [StoredEdit] = []
    var notifications: [UUID: StoredNotification] = [:]
    var idempotencyKeys: [String: StoredKey] = [:]
    private var lastTimestamp = Date.distantPast

    /// Now, strictly later than any timestamp handed out before (as clock_timestamp() is in practice).
    mutating func now() -> Date {
        let now = max(Date(), lastTimestamp.addingTimeInterval(0.000_001))
        lastTimestamp = now
        return now
    }

    func message(_ stored: StoredMessage) -> Message {
        Message(
            messageID: stored.messageID, conversationID: stored.conversationID,
            sender: UserReference(userID: stored.senderID, username: users[stored.senderID]?.username ?? ""),
            parentMessageID: stored.parentMessageID, body: stored.body, sentAt: stored.sentAt, editedAt: stored.editedAt)
    }

    // MARK: - ON DELETE actions

    mutating func deleteUser(_ id: UUID) {
        users[id] = nil
        for (conversationID, var members) in participants where members[id] != nil {
            members[id] = nil
            participants[conversationID] = members
            if members.isEmpty { deleteConversation(conversationID) }  // the abandoned-conversation trigger
        }
        for (conversationID, conversation) in conversations where conversation.createdBy == id {
            conversations[conversationID]?.createdBy = nil
        }
        for message in messages.values where message.senderID == id { deleteMessage(message.messageID) }
        edits.removeAll { $0.editedBy == id }
        notifications = notifications.filter { $0.value.recipientID != id }
        idempotencyKeys = idempotencyKeys.filter { !$0.key.hasPrefix(id.uuidString + "\u{1F}") }
    }

    mutating func deleteConversation(_ id: UUID) {
        conversations[id] = nil
        participants[id] = nil
        for message in messages.values where message.conversationID == id { messages[message.messageID] = nil }
        edits.removeAll { messages[$0.messageID] == nil }
        notifications = notifications.filter { $0.value.conversationID != id }
    }

    mutating func deleteMessage(_ id: UUID) {
        guard messages.removeValue(forKey: id) != nil else { return }
        for reply in messages.values where reply.parentMessageID == id { messages[reply.messageID]?.parentMessageID = nil }
        edits.removeAll { $0.messageID == id }
        notifications = notifications.filter { $0.value.messageID != id }
    }

    static func idempotencyKey(_ userID: UUID, _ key: String) -> String {
        userID.uuidString + "\u{1F}" + key
    }
}
