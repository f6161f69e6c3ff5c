import FoundationEssentials
import Postgres

extension PostgresMessageRepository {
    func insertSystemLine(conversationID: UUID, kind: MessageKind, actorID: UUID, memberID: UUID, text: String) throws -> Message {
        try MessageRow.message(connection.query("""
            WITH m AS (
                INSERT INTO messages (conversation_id, sender_id, message_body, kind, member_id)
                VALUES (\(conversationID), \(actorID), \(text), \(kind.rawValue), \(memberID))
                RETURNING *
            )
            SELECT \(unsafeRaw: MessageRow.columns.description) FROM m JOIN users u ON u.user_id = m.sender_id
            """)[0])
    }
}
