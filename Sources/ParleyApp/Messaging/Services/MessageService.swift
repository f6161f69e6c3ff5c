import FoundationEssentials

/// Messages: posting (with rate limit, idempotency, notifications), listing, editing,
/// deleting, history and threads. No HTTP here: refusals are ``MessagingError``s.
///
/// Permissions: participants of a conversation read its messages and post in it; only a
/// message's sender edits or deletes it. Anyone else gets `forbidden`; a message or
/// conversation that does not exist is `notFound` (checked first). System lines about
/// membership (``MessageKind``) are written by ``ConversationService`` alone: nobody edits,
/// deletes or replies to them.
struct MessageService {
    let store: any MessagingStore
    let limiter: RateLimiter
    let configuration: MessagingConfiguration

    /// One in this many posts also deletes a batch of expired idempotency keys.
    static let purgeOneIn = 64

    /// What a post produced: the response to send, and whether it is the stored answer to an
    /// earlier request with the same `Idempotency-Key` (then nothing new was stored).
    struct SendResult {
        var response: StoredResponse
        var message: Message?
        var isReplay: Bool
    }

    // MARK: - Posting

    /// Posts `draft` as `sender` (always the caller). All or nothing: the message, a
    /// notification for every other participant, the conversation's last activity and, with a
    /// key, the stored response. `render` makes the response from the new message; with an
    /// `idempotencyKey` it is stored and replayed for 24 hours to the same user and key.
    /// Without a key the post is one statement (a transaction of its own, no BEGIN and COMMIT
    /// round trips); with one, that statement and the key's go in one transaction.
    ///
    /// Order of checks: 404/403 (conversation), replay of a known key (no rate-limit cost),
    /// 400 (body), 429 (rate limit), then 400 for a bad parent inside the transaction.
    func send(
        _ draft: MessageDraft,
        to conversationID: UUID,
        by senderID: UUID,
        idempotencyKey: String? = nil,
        render: (Message) throws -> StoredResponse
    ) throws -> SendResult {
        let fingerprint = Self.fingerprint(draft, conversationID: conversationID)
        let earlier: IdempotencyRecord? = try store.read { repositories in
            try ConversationService.requireParticipant(repositories, conversationID, senderID)
            guard let idempotencyKey else { return nil }
            return try repositories.idempotency.find(userID: senderID, key: idempotencyKey)
        }
        if let earlier { return try Self.replay(earlier, fingerprint: fingerprint) }

        try Self.checkText(draft.body, field: "message_body", maxLength: configuration.maxBodyLength, allowBlank: false)

        let decision = try limiter.consume(
            key: Self.rateLimitKey(senderID), limit: configuration.messageRateLimit, window: configuration.messageRateWindow)
        guard decision.isAllowed else { throw MessagingError.rateLimited(decision) }

        guard let idempotencyKey else {
            let message = try Self.posted(
                store.write { try $0.messages.post(conversationID: conversationID, senderID: senderID, draft: draft) }, draft)
            return SendResult(response: try render(message), message: message, isReplay: false)
        }
        let result = try store.transaction { repositories -> SendResult in
            if try !repositories.idempotency.claim(userID: senderID, key: idempotencyKey, fingerprint: fingerprint) {
                // A request with the same key committed while this one was on its way.
                guard let stored = try repositories.idempotency.find(userID: senderID, key: idempotencyKey) else {
                    throw MessagingError.idempotencyKeyReused
                }
                return try Self.replay(stored, fingerprint: fingerprint)
            }
            let message = try Self.posted(repositories.messages.post(conversationID: conversationID, senderID: senderID, draft: draft), draft)
            let response = try render(message)
            try repositories.idempotency.complete(userID: senderID, key: idempotencyKey, response: response)
            return SendResult(response: response, message: message, isReplay: false)
        }
        if Int.random(in: 0..<Self.purgeOneIn) == 0 {
            _ = try? store.transaction { try $0.idempotency.purgeExpired(limit: 500) }
        }
        return result
    }

    /// The stored message, or the refusal `post` reported (404/403 as everywhere, 400 for a
    /// parent that is not one of this conversation's messages).
    private static func posted(_ result: MessagePostResult, _ draft: MessageDraft) throws -> Message {
        switch result {
        case .posted(let message): return message
        case .conversationNotFound: throw MessagingError.conversationNotFound
        case .notParticipant: throw MessagingError.notParticipant
        case .parentNotFound:
            throw MessagingError.invalid("parent_message", "Invalid pk \"\(draft.parentMessageID?.apiString ?? "")\" - object does not exist.")
        case .parentInAnotherConversation:
            throw MessagingError.invalid("parent_message", "The parent message belongs to another conversation.")
        case .parentIsSystemLine:
            throw MessagingError.systemLineParent
        }
    }

    private static func replay(_ record: IdempotencyRecord, fingerprint: String) throws -> SendResult {
        guard record.fingerprint == fingerprint else { throw MessagingError.idempotencyKeyReused }
        return SendResult(response: record.response, message: nil, isReplay: true)
    }

    /// The rate limiter's key for a user's posts: a hash of the id, so the counter row (which
    /// outlives an account by up to two windows) names no one.
    static func rateLimitKey(_ userID: UUID) -> String {
        "messages:" + Sodium.sha256Hex(userID.apiString)
    }

    /// What makes two posts "the same request": conversation, parent and body, exactly.
    static func fingerprint(_ draft: MessageDraft, conversationID: UUID) -> String {
        let parent = draft.parentMessageID?.apiString ?? "-"
        return Sodium.sha256Hex("messages.create\n\(conversationID.apiString)\n\(parent)\n\(draft.body.utf8.count)\n\(draft.body)")
    }

    // MARK: - Reading

    /// A conversation's messages, for its participants.
    func list(in conversationID: UUID, for viewerID: UUID, filter: MessageFilter, ordering: MessageOrdering, window: MessageWindow) throws -> MessageListing {
        var filter = filter
        filter.conversationID = conversationID
        filter.visibleTo = nil
        return try store.read { repositories in
            if case .page(let page) = window, page.number == 1 {
                let first = try repositories.messages.firstPage(in: conversationID, viewerID: viewerID, filter: filter, ordering: ordering, limit: page.size)
                guard let access = first.access else { throw MessagingError.conversationNotFound }
                guard access.isParticipant else { throw MessagingError.notParticipant }
                return .page(Page(items: first.items, total: first.total, request: page))
            }
            try ConversationService.requireParticipant(repositories, conversationID, viewerID)
            return try Self.listing(repositories, filter, ordering, window)
        }
    }

    /// Messages of every conversation the viewer is in (`filter.conversationID` narrows it).
    func listVisible(to viewerID: UUID, filter: MessageFilter, ordering: MessageOrdering, window: MessageWindow) throws -> MessageListing {
        var filter = filter
        filter.visibleTo = viewerID
        return try store.read { repositories in try Self.listing(repositories, filter, ordering, window) }
    }

    private static func listing(_ repositories: MessagingRepositories, _ filter: MessageFilter, _ ordering: MessageOrdering, _ window: MessageWindow) throws -> MessageListing {
        let messages = repositories.messages
        switch window {
        case .page(let page):
            let total = try messages.count(filter)
            guard page.exists(total: total) else { throw MessagingError.invalidPage }
            let items = try messages.list(filter, ordering: ordering, offset: page.offset, limit: page.size)
            return .page(Page(items: items, total: total, request: page))

        case .after(let id, let limit), .before(let id, let limit):
            guard let anchor = try messages.find(id, lock: false),
                  filter.conversationID.map({ $0 == anchor.conversationID }) ?? true,
                  try filter.visibleTo.map({ try repositories.conversations.access(anchor.conversationID, userID: $0, lock: false)?.isParticipant == true }) ?? true
            else { throw MessagingError.invalidCursor }
            let forward: ScanDirection = ordering == .oldestFirst ? .ascending : .descending
            let backward: ScanDirection = forward == .ascending ? .descending : .ascending
            let isAfter: Bool
            if case .after = window { isAfter = true } else { isAfter = false }
            let cursor = MessageCursor(sentAt: anchor.sentAt, messageID: anchor.messageID)
            var items = try messages.seek(filter, from: cursor, direction: isAfter ? forward : backward, limit: limit + 1)
            let more = items.count > limit
            items = Array(items.prefix(limit))
            if !isAfter { items.reverse() }  // back to list order
            guard let first = items.first, let last = items.last else {
                return .cursor(CursorPage(items: [], hasNext: false, hasPrevious: false))
            }
            // The side the seek came from: one more indexed probe, LIMIT 1.
            let hasNext: Bool
            let hasPrevious: Bool
            if isAfter {
                hasNext = more
                hasPrevious = try !messages.seek(filter, from: MessageCursor(sentAt: first.sentAt, messageID: first.messageID), direction: backward, limit: 1).isEmpty
            } else {
                hasPrevious = more
                hasNext = try !messages.seek(filter, from: MessageCursor(sentAt: last.sentAt, messageID: last.messageID), direction: forward, limit: 1).isEmpty
            }
            return .cursor(CursorPage(items: items, hasNext: hasNext, hasPrevious: hasPrevious))
        }
    }

    /// One message, for the participants of its conversation.
    func get(_ messageID: UUID, for viewerID: UUID) throws -> Message {
        try store.read { repositories in try Self.visibleMessage(repositories, messageID, viewerID) }
    }

    /// The earlier versions of a message, oldest first.
    func history(of messageID: UUID, for viewerID: UUID) throws -> [MessageEdit] {
        try store.read { repositories in
            try Self.visibleMessage(repositories, messageID, viewerID)
            return try repositories.messages.edits(of: messageID)
        }
    }

    /// The message and every reply below it, as a tree, from one recursive query.
    func thread(of messageID: UUID, for viewerID: UUID) throws -> MessageThread {
        try store.read { repositories in
            try Self.visibleMessage(repositories, messageID, viewerID)
            let rows = try repositories.messages.thread(rootID: messageID, maxDepth: MessageThread.maxDepth)
            guard let tree = MessageThread.build(rootID: messageID, from: rows) else { throw MessagingError.messageNotFound }
            return tree
        }
    }

    @discardableResult
    private static func visibleMessage(_ repositories: MessagingRepositories, _ messageID: UUID, _ viewerID: UUID, lock: Bool = false) throws -> Message {
        guard let message = try repositories.messages.find(messageID, lock: lock) else { throw MessagingError.messageNotFound }
        try ConversationService.requireParticipant(repositories, message.conversationID, viewerID)
        return message
    }

    // MARK: - Changing

    /// Replaces the body (sender only); the earlier body is kept in the history. Sending the
    /// same body again changes nothing and records no edit.
    func edit(_ messageID: UUID, body: String, by user: AuthenticatedUser) throws -> Message {
        try store.transaction { repositories in
            let message = try Self.visibleMessage(repositories, messageID, user.id, lock: true)
            guard !message.isSystemLine else { throw MessagingError.systemLineUnchangeable }
            guard message.sender.userID == user.id else { throw MessagingError.notSender }
            try Self.checkText(body, field: "message_body", maxLength: configuration.maxBodyLength, allowBlank: false)
            // Bytes, not String ==, which equates canonically equivalent text ("é" and "e\u{301}").
            guard !body.utf8.elementsEqual(message.body.utf8) else { return message }
            return try repositories.messages.edit(messageID, oldBody: message.body, newBody: body, editedBy: user.id)
        }
    }

    /// Only the sender may edit: the message (for the edit form) or `notSender` (403).
    func editableMessage(_ messageID: UUID, by user: AuthenticatedUser) throws -> Message {
        let message = try get(messageID, for: user.id)
        guard !message.isSystemLine else { throw MessagingError.systemLineUnchangeable }
        guard message.sender.userID == user.id else { throw MessagingError.notSender }
        return message
    }

    /// Deletes a message (sender only), with its history and notifications; replies to it stay,
    /// as top-level messages.
    func delete(_ messageID: UUID, by user: AuthenticatedUser) throws {
        try store.transaction { repositories in
            let message = try Self.visibleMessage(repositories, messageID, user.id, lock: true)
            guard !message.isSystemLine else { throw MessagingError.systemLineUnchangeable }
            guard message.sender.userID == user.id else { throw MessagingError.notSender }
            try repositories.messages.delete(messageID)
        }
    }

    // MARK: - Validation

    /// DRF CharField's checks, without trimming: the text is stored exactly as sent.
    static func checkText(_ text: String, field: String, maxLength: Int, allowBlank: Bool) throws {
        if text.unicodeScalars.contains("\u{0}") {
            throw MessagingError.invalid(field, "Null characters are not allowed.")
        }
        if !allowBlank, text.allSatisfy(\.isWhitespace) {
            throw MessagingError.invalid(field, "This field may not be blank.")
        }
        if text.unicodeScalars.count > maxLength {
            throw MessagingError.invalid(field, "Ensure this field has no more than \(maxLength) characters.")
        }
    }
}
