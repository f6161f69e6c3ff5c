import Foundation

/// messages and message_edits.
protocol MessageRepository {
    func insert(conversationID: UUID, senderID: UUID, draft: MessageDraft) throws -> Message

    /// Writes a system line: `actorID` (the sender) did `kind` to `memberID`; `text` is its body.
    func insertSystemLine(conversationID: UUID, kind: MessageKind, actorID: UUID, memberID: UUID, text: String) throws -> Message

    /// With `lock`, the row is locked for update until the transaction ends.
    func find(_ messageID: UUID, lock: Bool) throws -> Message?

    func count(_ filter: MessageFilter) throws -> Int

    /// One numbered page: `ORDER BY sent_at, message_id` (either way) `LIMIT … OFFSET …`.
    func list(_ filter: MessageFilter, ordering: MessageOrdering, offset: Int, limit: Int) throws -> [Message]

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

    /// The top-level messages of `conversationID` before `cursor` (the latest when nil), at
    /// most `limit`, and all their descendants (down to `maxDepth` levels), in any order, with
    /// whether more top-level messages come before them; in one query.
    func threadPage(conversationID: UUID, before cursor: MessageCursor?, limit: Int, maxDepth: Int) throws -> (messages: [Message], rootIDs: [UUID], hasEarlier: Bool)
}
