import Foundation

/// A message as stored, with its sender's username.
struct Message: Sendable, Equatable {
    var messageID: UUID
    var conversationID: UUID
    var sender: UserReference
    var parentMessageID: UUID?
    /// Exactly as sent: never trimmed or normalised.
    var body: String
    var sentAt: Date
    var editedAt: Date?
    /// A message, or a system line about membership (then `member` is who joined or went).
    var kind: MessageKind = .message
    var member: UserReference?

    var isEdited: Bool { editedAt != nil }
    var isSystemLine: Bool { kind.isSystemLine }
}

/// What a participant asks to post.
struct MessageDraft: Sendable, Equatable {
    var body: String
    var parentMessageID: UUID?
}

/// An earlier version of an edited message.
struct MessageEdit: Sendable, Equatable {
    var oldBody: String
    var editedAt: Date
    var editedBy: UserReference
}

/// A message and every reply below it, each ordered by `sent_at`.
///
/// Depth is capped at ``maxDepth`` levels below the root (the query stops there), so a
/// pathological reply chain cannot exhaust a worker thread's stack while the tree is built and
/// encoded.
struct MessageThread: Sendable, Equatable {
    static let maxDepth = 256

    var message: Message
    var replies: [MessageThread]

    /// Builds the tree under `rootID` from a flat list (any order) that holds the root and its
    /// descendants, as the recursive query returns them.
    static func build(rootID: UUID, from messages: [Message]) -> MessageThread? {
        var children: [UUID: [Message]] = [:]
        var root: Message?
        for message in messages {
            if message.messageID == rootID { root = message }
            if let parent = message.parentMessageID { children[parent, default: []].append(message) }
        }
        guard let root else { return nil }
        func node(_ message: Message, depth: Int) -> MessageThread {
            let replies = (children[message.messageID] ?? [])
                .sorted { ($0.sentAt, $0.messageID.apiString) < ($1.sentAt, $1.messageID.apiString) }
            guard depth < maxDepth else { return MessageThread(message: message, replies: []) }
            return MessageThread(message: message, replies: replies.map { node($0, depth: depth + 1) })
        }
        return node(root, depth: 0)
    }

    /// Every message in the tree, depth first.
    var count: Int { 1 + replies.reduce(0) { $0 + $1.count } }
}
