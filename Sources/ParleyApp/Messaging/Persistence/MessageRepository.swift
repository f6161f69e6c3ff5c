import FoundationEssentials

/// messages and message_edits.
protocol MessageRepository {
    /// Stores `draft` as `senderID`'s in `conversationID`, with a notification for every other
    /// participant and the conversation's last activity, all or nothing, in one statement; or
    /// says why it stored nothing (the conversation, the sender's place in it, the parent).
    func post(conversationID: UUID, senderID: UUID, draft: MessageDraft) throws -> MessagePostResult

    /// Writes a system line: `actorID` (the sender) did `kind` to `memberID`; `text` is its body.
    func insertSystemLine(conversationID: UUID, kind: MessageKind, actorID: UUID, memberID: UUID, text: String) throws -> Message

    /// With `lock`, the row is locked for update until the transaction ends.
    func find(_ messageID: UUID, lock: Bool) throws -> Message?

    func count(_ filter: MessageFilter) throws -> Int

    /// One numbered page: `ORDER BY sent_at, message_id` (either way) `LIMIT … OFFSET …`.
    func list(_ filter: MessageFilter, ordering: MessageOrdering, offset: Int, limit: Int) throws -> [Message]

    /// Page 1 of `conversationID`'s messages (narrowed by `filter`), their total, and the
    /// conversation with whether `viewerID` is in it, in one round trip. The page is read before
    /// that answer is known: the caller shows it to participants only. (Page 1 always exists;
    /// a deeper page is read only once the count says it exists.)
    func firstPage(in conversationID: UUID, viewerID: UUID, filter: MessageFilter, ordering: MessageOrdering, limit: Int) throws -> (access: ConversationAccess?, total: Int, items: [Message])

    /// A keyset seek: up to `limit` messages strictly after `cursor` in `direction`, nearest
    /// first. Reads only the index entries it returns, however deep the cursor is.
    func seek(_ filter: MessageFilter, from cursor: MessageCursor, direction: ScanDirection, limit: Int) throws -> [Message]

    /// Keeps `oldBody` as an earlier version, then stores `newBody` with `edited_at`.
    func edit(_ messageID: UUID, oldBody: String, newBody: String, editedBy: UUID) throws -> Message

    func delete(_ messageID: UUID) throws

    /// The earlier versions, oldest first.
    func edits(of messageID: UUID) throws -> [MessageEdit]

    /// The message and all its descendants (down to `maxDepth` levels), in one query.
    func thread(rootID: UUID, maxDepth: Int) throws -> [Message]
}
