import FoundationEssentials
import Postgres

extension PostgresConversationRepository {
    func labels(of conversationIDs: [UUID], viewerID: UUID) throws -> [UUID: ConversationLabel] {
        let rows = try connection.query("""
            SELECT c.conversation_id, c.title,
                   coalesce((SELECT array_agg(u.username ORDER BY pp.joined_at, u.username)
                               FROM conversation_participants pp JOIN users u ON u.user_id = pp.user_id
                              WHERE pp.conversation_id = c.conversation_id), '{}') AS usernames
            FROM conversations c
            WHERE c.conversation_id = ANY(\(conversationIDs))
              AND EXISTS (SELECT 1 FROM conversation_participants p
                          WHERE p.conversation_id = c.conversation_id AND p.user_id = \(viewerID))
            """)
        var labels: [UUID: ConversationLabel] = [:]
        for row in rows {
            let (id, title, usernames) = try row.decode((UUID, String, [String]).self)
            labels[id] = ConversationLabel(title: title, usernames: usernames)
        }
        return labels
    }
}
