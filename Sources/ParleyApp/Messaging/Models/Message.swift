import FoundationEssentials

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
        build(rootIDs: [rootID], from: messages).first
    }

    /// The trees under each of `rootIDs` (in that order, skipping roots not in `messages`), from
    /// one pass over the list: a page of threads used to index the whole list once per root.
    static func build(rootIDs: [UUID], from messages: [Message]) -> [MessageThread] {
        var index: [UUID: Int] = [:]
        var children: [UUID: [Int]] = [:]
        index.reserveCapacity(messages.count)
        for position in messages.indices {
            let message = messages[position]
            index[message.messageID] = position
            if let parent = message.parentMessageID { children[parent, default: []].append(position) }
        }
        // Replies by time, then id: the id's bytes order as its text does (lowercase hex), and
        // comparing them builds no strings.
        func precedes(_ left: Int, _ right: Int) -> Bool {
            let (a, b) = (messages[left], messages[right])
            if a.sentAt != b.sentAt { return a.sentAt < b.sentAt }
            return withUnsafeBytes(of: a.messageID.uuid) { l in
                withUnsafeBytes(of: b.messageID.uuid) { r in l.lexicographicallyPrecedes(r) }
            }
        }
        func node(_ position: Int, depth: Int) -> MessageThread {
            let message = messages[position]
            guard depth < maxDepth, let replies = children[message.messageID] else { return MessageThread(message: message, replies: []) }
            return MessageThread(message: message, replies: replies.sorted(by: precedes).map { node($0, depth: depth + 1) })
        }
        return rootIDs.compactMap { rootID in index[rootID].map { node($0, depth: 0) } }
    }

    /// Every message in the tree, depth first.
    var count: Int { 1 + replies.reduce(0) { $0 + $1.count } }
}
